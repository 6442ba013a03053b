using System.Globalization;

namespace Realm.LoadTester.Reporting;

/// <summary>The run's time series as CSV: one row per second, a header naming every column with its unit.</summary>
internal static class SeriesCsv
{
    public const string Header = "seconds,stage,bots,sent_per_sec,received_per_sec,rtt_p50_ms,rtt_p99_ms,server_tick_p50_ms,server_tick_p99_ms,server_tick_max_ms,server_lateness_p99_ms";

    public static void Write(TextWriter output, IReadOnlyList<SeriesPoint> points)
    {
        output.WriteLine(Header);
        foreach (SeriesPoint p in points)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Seconds:F2},{p.Stage},{p.Bots},{p.SentPerSecond:F0},{p.ReceivedPerSecond:F0},{p.RttP50Ms:F3},{p.RttP99Ms:F3},{p.TickP50Ms:F3},{p.TickP99Ms:F3},{p.TickMaxMs:F3},{p.LatenessP99Ms:F3}"));
        }
    }
}
