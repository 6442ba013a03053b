using Realm.Server.Simulation;

namespace Realm.Server.Tests.Simulation;

[TestFixture]
[CancelAfter(20_000)]
public sealed class TickLoopTests
{
    [Test]
    public void Run_TicksThatTakeLongerThanAPeriod_AreCountedAsOverruns()
    {
        var clock = new JumpingClock();
        var handler = new Handler(clock, slowTicks: [3, 7], slowFor: TimeSpan.FromMilliseconds(60), stopAfter: 12);
        using var loop = new TickLoop(handler, ticksPerSecond: 30, maxCatchUp: 2, time: clock);

        loop.Start();
        Assert.That(handler.Done.Wait(TimeSpan.FromSeconds(10)), Is.True, "the loop did not reach tick 12");
        Assert.That(loop.Stop(TimeSpan.FromSeconds(5)), Is.True);

        Assert.That(loop.Failure, Is.Null);
        Assert.That(loop.Metrics.Overruns, Is.EqualTo(2));
        Assert.That(loop.Metrics.Duration.Count, Is.EqualTo(loop.Metrics.Ticks));
        Assert.That(loop.Metrics.Duration.MaxMilliseconds, Is.GreaterThanOrEqualTo(59));
        Assert.That(handler.Seen, Is.EqualTo(Enumerable.Range(0, handler.Seen.Count).Select(i => (long)i)), "ticks in order, none repeated (a 60 ms tick is within the catch-up bound)");
    }

    [Test]
    public void Run_HandlerThrows_StopsTheLoopAndKeepsTheError()
    {
        var handler = new Throwing();
        using var loop = new TickLoop(handler, ticksPerSecond: 100, maxCatchUp: 2);

        loop.Start();
        Assert.That(SpinWait.SpinUntil(() => !loop.IsRunning, TimeSpan.FromSeconds(5)), Is.True);

        Assert.That(loop.Failure, Is.InstanceOf<InvalidOperationException>().With.Message.EqualTo("broken invariant"));
    }

    /// <summary>Real time plus the jumps a slow tick makes: the loop sees the tick take that long, nobody sleeps.</summary>
    private sealed class JumpingClock : TimeProvider
    {
        private long _offset;

        public override long TimestampFrequency => TimeProvider.System.TimestampFrequency;

        public override long GetTimestamp() => TimeProvider.System.GetTimestamp() + Interlocked.Read(ref _offset);

        public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * TimestampFrequency));
    }

    private sealed class Handler(JumpingClock clock, long[] slowTicks, TimeSpan slowFor, long stopAfter) : ITickHandler
    {
        public List<long> Seen { get; } = [];

        public ManualResetEventSlim Done { get; } = new();

        public void Tick(long tick)
        {
            Seen.Add(tick);
            if (Array.IndexOf(slowTicks, tick) >= 0)
            {
                clock.Jump(slowFor); // the tick "takes" slowFor
            }

            if (tick == stopAfter)
            {
                Done.Set();
            }
        }
    }

    private sealed class Throwing : ITickHandler
    {
        public void Tick(long tick)
        {
            if (tick == 3)
            {
                throw new InvalidOperationException("broken invariant");
            }
        }
    }
}
