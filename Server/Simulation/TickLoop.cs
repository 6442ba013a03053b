using System.Diagnostics;

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
/// 33.0 ms instead of 33.3 at 30 Hz.)
/// </remarks>
internal sealed class TickLoop : IDisposable
{
    private static readonly long SpinThreshold = Stopwatch.Frequency * 3 / 2000; // 1.5 ms

    private readonly ITickHandler _handler;
    private readonly double _ticksPerSecond;
    private readonly int _maxCatchUp;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public TickLoop(ITickHandler handler, double ticksPerSecond, int maxCatchUp, string name = "realm-logic")
    {
        _handler = handler;
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
        var scheduler = new TickScheduler(Stopwatch.GetTimestamp(), _ticksPerSecond, Stopwatch.Frequency, _maxCatchUp);
        long periodTicks = (long)scheduler.Period;
        while (!_stopping)
        {
            long now = Stopwatch.GetTimestamp();
            long deadline = scheduler.Poll(now, out bool due, out long lateness);
            if (!due)
            {
                Wait(deadline, now);
                continue;
            }

            long start = Stopwatch.GetTimestamp();
            try
            {
                _handler.Tick(scheduler.NextTick);
            }
            catch (Exception e)
            {
                Failure = e; // a broken invariant in game code: stop rather than run on corrupt state
                return;
            }

            long took = Stopwatch.GetTimestamp() - start;
            scheduler.Ran();
            Metrics.Record(ToNanoseconds(took), ToNanoseconds(lateness), took > periodTicks, scheduler.Skipped);
        }
    }

    private static void Wait(long deadline, long now)
    {
        long remaining = deadline - now;
        if (remaining > SpinThreshold)
        {
            int sleepMs = (int)((remaining - SpinThreshold) * 1000 / Stopwatch.Frequency);
            Thread.Sleep(Math.Max(1, sleepMs));
            return;
        }

        Thread.Yield();
    }

    private static long ToNanoseconds(long timestampTicks) => (long)(timestampTicks * (1e9 / Stopwatch.Frequency));
}
