namespace Realm.LoadTester.Reporting;

/// <summary>One second of a game run: what the bots saw and what the server reported for that second.</summary>
/// <param name="Seconds">Time since the run started.</param>
/// <param name="Stage">ramp, warmup or measured.</param>
/// <param name="Bots">Bots in the game.</param>
/// <param name="SentPerSecond">Messages the bots sent in the second.</param>
/// <param name="ReceivedPerSecond">Messages the bots received in the second.</param>
/// <param name="RttP50Ms">Echo RTT median of the second (0: none came back).</param>
/// <param name="RttP99Ms">Echo RTT p99 of the second.</param>
/// <param name="TickP50Ms">Server tick duration median of the second (−1: no answer).</param>
/// <param name="TickP99Ms">Server tick duration p99 of the second.</param>
/// <param name="TickMaxMs">Longest server tick of the second.</param>
/// <param name="LatenessP99Ms">Server tick start lateness p99 of the second.</param>
internal readonly record struct SeriesPoint(
    double Seconds,
    string Stage,
    int Bots,
    double SentPerSecond,
    double ReceivedPerSecond,
    double RttP50Ms,
    double RttP99Ms,
    double TickP50Ms,
    double TickP99Ms,
    double TickMaxMs,
    double LatenessP99Ms);
