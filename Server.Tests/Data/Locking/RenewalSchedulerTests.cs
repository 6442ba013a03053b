using Microsoft.Extensions.Time.Testing;
using Realm.Data.Locking.Internal;

namespace Realm.Server.Tests.Data.Locking;

[TestFixture]
[CancelAfter(20_000)]
public sealed class RenewalSchedulerTests
{
    [Test]
    public void DueWork_IsCalledInDueOrder_OnlyOnceItsTimeHasCome()
    {
        var clock = new FakeTimeProvider();
        var scheduler = new RenewalScheduler(clock);
        var calls = new List<int>();
        var work = new[] { 30, 10, 20 }.Select(ms => new Work(ms, calls)).ToArray();
        foreach (Work w in work)
        {
            scheduler.Schedule(w, clock.GetTimestamp() + Ticks(clock, w.Id));
        }

        clock.Advance(TimeSpan.FromMilliseconds(9));
        Assert.That(calls, Is.Empty, "nothing is due before 10 ms");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(calls, Is.EqualTo(new[] { 10 }));
        clock.Advance(TimeSpan.FromMilliseconds(25));
        Assert.That(calls, Is.EqualTo(new[] { 10, 20, 30 }));
        Assert.That(scheduler.Count, Is.Zero);
    }

    [Test]
    public void CancelledOrInactiveWork_IsNeverCalled_AndRescheduleMovesIt()
    {
        var clock = new FakeTimeProvider();
        var scheduler = new RenewalScheduler(clock);
        var calls = new List<int>();
        var cancelled = new Work(1, calls);
        var inactive = new Work(2, calls);
        var moved = new Work(3, calls);
        long now = clock.GetTimestamp();
        scheduler.Schedule(cancelled, now + Ticks(clock, 10));
        scheduler.Schedule(inactive, now + Ticks(clock, 10));
        scheduler.Schedule(moved, now + Ticks(clock, 10));
        scheduler.Cancel(cancelled);
        inactive.Active = false;
        scheduler.Schedule(moved, now + Ticks(clock, 50)); // moved later: not called at 10 ms
        Assert.That(scheduler.Count, Is.EqualTo(2));

        clock.Advance(TimeSpan.FromMilliseconds(20));
        Assert.That(calls, Is.Empty, "the cancelled one was removed, the inactive one was dropped, the moved one waits");
        clock.Advance(TimeSpan.FromMilliseconds(30));
        Assert.That(calls, Is.EqualTo(new[] { 3 }));

        inactive.Active = false;
        scheduler.Schedule(inactive, clock.GetTimestamp());
        Assert.That(scheduler.Count, Is.Zero, "inactive work is not taken");
    }

    [Test]
    public void RandomSchedulesMovesAndCancels_MatchASortedOracle()
    {
        var clock = new FakeTimeProvider();
        var scheduler = new RenewalScheduler(clock);
        var calls = new List<int>();
        var random = new Random(7);
        var work = Enumerable.Range(0, 300).Select(i => new Work(i, calls)).ToArray();
        var expected = new Dictionary<int, long>(); // id → due, the oracle
        long start = clock.GetTimestamp();
        for (int step = 0; step < 3_000; step++)
        {
            Work w = work[random.Next(work.Length)];
            if (random.Next(4) == 0)
            {
                scheduler.Cancel(w);
                expected.Remove(w.Id);
            }
            else
            {
                long due = start + Ticks(clock, 1 + random.Next(1_000));
                scheduler.Schedule(w, due);
                expected[w.Id] = due;
            }
        }

        Assert.That(scheduler.Count, Is.EqualTo(expected.Count));
        for (int ms = 1; ms <= 1_000; ms++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(1));
            long now = clock.GetTimestamp();
            int[] due = expected.Where(e => e.Value <= now).Select(e => e.Key).Order().ToArray();
            Assert.That(calls.Order(), Is.EqualTo(due), $"at {ms} ms: exactly the work due so far");
            Assert.That(calls.Distinct().Count(), Is.EqualTo(calls.Count), "each called once");
        }

        Assert.That(scheduler.Count, Is.Zero);
    }

    [Test]
    public void WorkThatSchedulesItselfAgain_IsCalledEveryPeriod_AndShutDownLetsItFinish()
    {
        var clock = new FakeTimeProvider();
        var scheduler = new RenewalScheduler(clock);
        var calls = new List<int>();
        var repeating = new Work(1, calls);
        repeating.Then = () =>
        {
            if (calls.Count < 5)
            {
                scheduler.Schedule(repeating, clock.GetTimestamp() + Ticks(clock, 100));
            }
        };
        scheduler.Schedule(repeating, clock.GetTimestamp() + Ticks(clock, 100));
        scheduler.ShutDown(); // scheduled work still runs to its end after the shutdown
        for (int i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.That(calls, Has.Count.EqualTo(5));
        Assert.That(scheduler.Count, Is.Zero);
    }

    [Test]
    public async Task OnTheSystemClock_ThousandsOfHandlesShareOneTimer_AndAllAreCalled()
    {
        var scheduler = new RenewalScheduler(TimeProvider.System);
        int called = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int Count = 5_000;
        var work = Enumerable.Range(0, Count).Select(i => new Work(i, null)
        {
            Then = () =>
            {
                if (Interlocked.Increment(ref called) == Count)
                {
                    all.SetResult();
                }
            },
        }).ToArray();

        long now = TimeProvider.System.GetTimestamp();
        Parallel.For(0, Count, i => scheduler.Schedule(work[i], now + Ticks(TimeProvider.System, 20 + i % 50)));
        await all.Task;
        Assert.That(called, Is.EqualTo(Count));
        Assert.That(scheduler.Count, Is.Zero);
    }

    private static long Ticks(TimeProvider clock, int milliseconds) => milliseconds * clock.TimestampFrequency / 1000;

    private sealed class Work(int id, List<int>? calls) : IScheduledWork
    {
        public int Id { get; } = id;

        public bool Active { get; set; } = true;

        public Action? Then { get; set; }

        public bool IsActive => Active;

        public int HeapIndex { get; set; } = -1;

        public long Due { get; set; }

        public void OnDue()
        {
            if (calls is not null)
            {
                lock (calls)
                {
                    calls.Add(Id);
                }
            }

            Then?.Invoke();
        }
    }
}
