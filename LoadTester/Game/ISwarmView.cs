using Realm.LoadTester.Reporting;

namespace Realm.LoadTester.Game;

/// <summary>Where the swarm shows its progress: a line a second, or a live table.</summary>
internal interface ISwarmView
{
    /// <param name="point">The second that just ended.</param>
    /// <param name="target">Bots the run ramps to.</param>
    /// <param name="connectsPerSecond">Bots that entered the game in that second.</param>
    /// <param name="lossPercent">Echoes lost so far in the stage.</param>
    /// <param name="remainingSeconds">Time left in the current stage (ramp: unknown, negative).</param>
    /// <param name="note">Extra words (the ramp's progress).</param>
    void Show(SeriesPoint point, int target, double connectsPerSecond, double lossPercent, double remainingSeconds, string note);
}
