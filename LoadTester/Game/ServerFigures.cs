namespace Realm.LoadTester.Game;

/// <summary>The server's figures over the measured stage, from its status responses (durations in ms).</summary>
internal sealed record ServerFigures(
    int Ccu,
    long Ticks,
    double TickP50Ms,
    double TickP99Ms,
    double TickMaxMs,
    double LatenessP99Ms,
    double LatenessMaxMs,
    long Overruns,
    long AllocatedBytes,
    long Gen0Collections,
    long Messages)
{
    /// <summary>Server allocation per message it received or sent in the measured stage.</summary>
    public double AllocBytesPerMessage => Messages == 0 ? 0 : AllocatedBytes / (double)Messages;
}
