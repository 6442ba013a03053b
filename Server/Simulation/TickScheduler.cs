namespace Realm.Server.Simulation;

/// <summary>
/// When each tick is due: tick n's deadline is <c>start + n × period</c>, computed from the start every
/// time (never by adding a period to the last wake-up), so small oversleeps do not accumulate into drift.
/// A tick that overran is followed at once by the ones it delayed, up to <c>maxCatchUp</c>; beyond that the
/// schedule skips forward and counts what it skipped, so a long stall is not repaid with a burst of ticks.
/// </summary>
/// <remarks>Pure arithmetic on timestamps of a <see cref="TimeProvider"/>: the loop and the tests drive it.
/// Logic thread only; not thread-safe.</remarks>
internal sealed class TickScheduler
{
    private readonly long _start;
    private readonly double _period;
    private readonly int _maxCatchUp;
    private long _next;

    /// <param name="start">Timestamp of tick 0's deadline.</param>
    /// <param name="ticksPerSecond">The tick rate.</param>
    /// <param name="timestampFrequency">Timestamp units per second.</param>
    /// <param name="maxCatchUp">Ticks run back to back after a stall before the schedule skips ahead.</param>
    public TickScheduler(long start, double ticksPerSecond, long timestampFrequency, int maxCatchUp)
    {
        _start = start;
        _period = timestampFrequency / ticksPerSecond;
        _maxCatchUp = maxCatchUp;
    }

    /// <summary>The number of the next tick to run.</summary>
    public long NextTick => _next;

    /// <summary>Ticks dropped from the schedule because the loop fell more than <c>maxCatchUp</c> behind.</summary>
    public long Skipped { get; private set; }

    /// <summary>One period in timestamp units.</summary>
    public double Period => _period;

    /// <summary>Deadline of tick <paramref name="tick"/>.</summary>
    public long Deadline(long tick) => _start + (long)(tick * _period);

    /// <summary>
    /// What to do at <paramref name="now"/>: wait until the returned deadline, or run the tick now
    /// (<paramref name="due"/> true; <paramref name="lateness"/> is how far past its deadline it starts).
    /// </summary>
    public long Poll(long now, out bool due, out long lateness)
    {
        long deadline = Deadline(_next);
        if (now < deadline)
        {
            due = false;
            lateness = 0;
            return deadline;
        }

        // How many deadlines have passed, including this one. Beyond the catch-up bound, jump to the latest.
        long behind = (long)((now - _start) / _period) - _next + 1;
        if (behind > _maxCatchUp)
        {
            long jump = behind - _maxCatchUp;
            _next += jump;
            Skipped += jump;
            deadline = Deadline(_next);
        }

        due = true;
        lateness = now - deadline;
        return deadline;
    }

    /// <summary>Marks the due tick as run.</summary>
    public void Ran() => _next++;
}
