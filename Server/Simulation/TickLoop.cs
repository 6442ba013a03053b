namespace Realm.Server.Simulation;

/// <summary>
/// The logic thread: runs an <see cref="ITickHandler"/> at a fixed rate against absolute deadlines
/// (<see cref="TickScheduler"/>), and records every tick in <see cref="TickMetrics"/>.
/// </summary>
/// <remarks>
/// Waiting sleeps in whole milliseconds while more than ~1.5 ms remain, then yields until the deadline:
/// <see cref="Thread.Sleep(int)"/> oversleeps by up to a millisecond, which alone would miss the 2 ms
/// lateness target at p99; the yield costs at most ~1.5 ms of a core per tick and gives the core away
/// whenever another thread wants it. (<c>PeriodicTimer</c> rounds periods to whole milliseconds and drifts:
/// 33.0 ms instead of 33.3 at 30 Hz.) The clock is a <see cref="TimeProvider"/>'s timestamp, so tests can make
/// a tick "take" longer by moving the clock instead of sleeping; waiting itself is always real time.
/// </remarks>
internal sealed class TickLoop : IDisposable
{
    private readonly ITickHandler _handler;
    private readonly TimeProvider _time;
    private readonly long _frequency;
    private readonly long _spinThreshold; // 1.5 ms in timestamp units
    private readonly double _ticksPerSecond;
    private readonly int _maxCatchUp;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public TickLoop(ITickHandler handler, double ticksPerSecond, int maxCatchUp, string name = "realm-logic", TimeProvider? time = null)
    {
        _handler = handler;
        _time = time ?? TimeProvider.System;
        _frequency = _time.TimestampFrequency;
        _spinThreshold = _frequency * 3 / 2000;
        _ticksPerSecond = ticksPerSecond;
        _maxCatchUp = maxCatchUp;
        _thread = new Thread(Run) { Name = name, IsBackground = true, Priority = ThreadPriority.AboveNormal };
    }

    public TickMetrics Metrics { get; } = new();

    /// <summary>The first unhandled exception of a tick, which stopped the loop; null while healthy.</summary>
    public Exception? Failure { get; private set; }

    public bool IsRunning => _thread.IsAlive;

    public void Start() => _thread.Start();

    /// <summary>Asks the loop to stop after the current tick and waits for it; false if it did not stop within <paramref name="timeout"/>.</summary>
    public bool Stop(TimeSpan timeout)
    {
        _stopping = true;
        return !_thread.IsAlive || _thread.Join(timeout);
    }

    public void Dispose() => Stop(TimeSpan.FromSeconds(5));

    private void Run()
    {
        var scheduler = new TickScheduler(_time.GetTimestamp(), _ticksPerSecond, _frequency, _maxCatchUp);
        long periodTicks = (long)scheduler.Period;
        while (!_stopping)
        {
            long now = _time.GetTimestamp();
            long deadline = scheduler.Poll(now, out bool due, out long lateness);
            if (!due)
            {
                Wait(deadline, now);
                continue;
            }

            long start = _time.GetTimestamp();
            try
            {
                _handler.Tick(scheduler.NextTick);
            }
            catch (Exception e)
            {
                Failure = e; // a broken invariant in game code: stop rather than run on corrupt state
                return;
            }

            long took = _time.GetTimestamp() - start;
            scheduler.Ran();
            Metrics.Record(ToNanoseconds(took), ToNanoseconds(lateness), took > periodTicks, scheduler.Skipped);
        }
    }

    private void Wait(long deadline, long now)
    {
        long remaining = deadline - now;
        if (remaining > _spinThreshold)
        {
            int sleepMs = (int)((remaining - _spinThreshold) * 1000 / _frequency);
            Thread.Sleep(Math.Max(1, sleepMs));
            return;
        }

        Thread.Yield();
    }

    private long ToNanoseconds(long timestampTicks) => (long)(timestampTicks * (1e9 / _frequency));
}
