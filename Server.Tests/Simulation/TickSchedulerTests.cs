using Realm.Server.Simulation;

namespace Realm.Server.Tests.Simulation;

/// <summary>The schedule on an injected clock: timestamps are plain numbers here (1 unit = 1 ns).</summary>
[TestFixture]
[CancelAfter(5_000)]
public sealed class TickSchedulerTests
{
    private const long Frequency = 1_000_000_000;
    private const long Start = 5_000_000_000;

    [Test]
    public void Deadlines_AreStartPlusTickTimesPeriod_WithoutDrift()
    {
        var scheduler = new TickScheduler(Start, 30, Frequency, maxCatchUp: 3);

        Assert.That(scheduler.Deadline(0), Is.EqualTo(Start));
        Assert.That(scheduler.Deadline(1), Is.EqualTo(Start + 33_333_333));
        Assert.That(scheduler.Deadline(30), Is.EqualTo(Start + Frequency), "30 ticks at 30 Hz are exactly one second");
        Assert.That(scheduler.Deadline(108_000), Is.EqualTo(Start + 3_600 * Frequency), "one hour later, still exact");
    }

    [Test]
    public void Poll_BeforeTheDeadline_WaitsUntilIt_AtOrAfter_RunsWithItsLateness()
    {
        var scheduler = new TickScheduler(Start, 30, Frequency, maxCatchUp: 3);
        scheduler.Ran(); // tick 0 done; tick 1 is due at Start + 33.33 ms

        Assert.That(scheduler.Poll(Start + 10_000_000, out bool due, out _), Is.EqualTo(Start + 33_333_333));
        Assert.That(due, Is.False);

        scheduler.Poll(Start + 33_333_333, out due, out long lateness);
        Assert.That((due, lateness), Is.EqualTo((true, 0L)));

        scheduler.Poll(Start + 34_333_333, out due, out lateness);
        Assert.That((due, lateness), Is.EqualTo((true, 1_000_000L)), "1 ms late");
    }

    [Test]
    public void WakingLateEveryTick_DoesNotShiftLaterDeadlines()
    {
        // A loop that always oversleeps by 0.7 ms: each tick starts 0.7 ms late, but deadlines stay on the grid.
        var scheduler = new TickScheduler(Start, 30, Frequency, maxCatchUp: 3);
        for (int i = 0; i < 300; i++)
        {
            long deadline = scheduler.Deadline(scheduler.NextTick);
            scheduler.Poll(deadline + 700_000, out bool due, out long lateness);
            Assert.That((due, lateness), Is.EqualTo((true, 700_000L)), $"tick {i}");
            scheduler.Ran();
        }

        Assert.That(scheduler.Deadline(scheduler.NextTick), Is.EqualTo(Start + (long)(300 * (Frequency / 30.0))));
        Assert.That(scheduler.Skipped, Is.Zero);
    }

    [Test]
    public void StallBeyondTheCatchUpBound_RunsAtMostThatManyTicksBackToBack_AndCountsTheSkipped()
    {
        var scheduler = new TickScheduler(Start, 10, Frequency, maxCatchUp: 3); // 100 ms period
        scheduler.Poll(Start, out _, out _);
        scheduler.Ran(); // tick 0 at its deadline; then the loop stalls for a second

        long now = Start + 1_050_000_000; // deadlines of ticks 1..10 have passed
        int backToBack = 0;
        while (true)
        {
            scheduler.Poll(now, out bool due, out _);
            if (!due)
            {
                break;
            }

            scheduler.Ran();
            backToBack++;
        }

        Assert.That(backToBack, Is.EqualTo(3), "ticks run at once after the stall");
        Assert.That(scheduler.Skipped, Is.EqualTo(7), "10 passed deadlines - 3 caught up");
        Assert.That(scheduler.NextTick, Is.EqualTo(11), "back on the original grid");
        Assert.That(scheduler.Deadline(scheduler.NextTick), Is.EqualTo(Start + 1_100_000_000));
    }

    [Test]
    public void StallWithinTheCatchUpBound_RunsEveryMissedTick()
    {
        var scheduler = new TickScheduler(Start, 10, Frequency, maxCatchUp: 3);
        scheduler.Poll(Start, out _, out _);
        scheduler.Ran();

        long now = Start + 250_000_000; // ticks 1 and 2 are due
        int ran = 0;
        long lastLateness = 0;
        while (true)
        {
            scheduler.Poll(now, out bool due, out long lateness);
            if (!due)
            {
                break;
            }

            lastLateness = lateness;
            scheduler.Ran();
            ran++;
        }

        Assert.That(ran, Is.EqualTo(2));
        Assert.That(scheduler.Skipped, Is.Zero);
        Assert.That(lastLateness, Is.EqualTo(50_000_000), "tick 2 started 50 ms after its deadline");
    }
}
