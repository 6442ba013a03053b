using System.Globalization;
using Realm.LoadTester.Reporting;

namespace Realm.LoadTester.Game;

/// <summary>A line a second, for logs and redirected output.</summary>
internal sealed class TextSwarmView(TextWriter output) : ISwarmView
{
    public void Show(SeriesPoint point, int target, double connectsPerSecond, double lossPercent, double remainingSeconds, string note) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{point.Stage,-8} {point.Seconds,6:F1} s  bots {point.Bots,6}/{target}  msgs/s {point.SentPerSecond,8:F0} out {point.ReceivedPerSecond,9:F0} in  rtt p50 {point.RttP50Ms,6:F1} p99 {point.RttP99Ms,6:F1} ms  loss {lossPercent:F2} %  server tick p99 {point.TickP99Ms,6:F2} ms  {note}"));
}
