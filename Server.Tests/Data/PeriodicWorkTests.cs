using Microsoft.Extensions.Time.Testing;
using Realm.Data.Internal;

namespace Realm.Server.Tests.Data;

[TestFixture]
[CancelAfter(20_000)]
public sealed class PeriodicWorkTests
{
    [Test]
    public async Task StartedTwice_RunsOneLoop_AtOnceAndEveryInterval_AndDisposeWaitsForTheRunInProgress()
    {
        var clock = new FakeTimeProvider();
        int runs = 0;
        var firstRun = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool finished = false;
        var work = new PeriodicWork(TimeSpan.FromSeconds(1), clock, runAtOnce: true, async _ =>
        {
            if (Interlocked.Increment(ref runs) == 3)
            {
                firstRun.TrySetResult();
                await release.Task; // the third run is in progress when the loop is disposed
                finished = true;
            }
        });

        work.Start();
        work.Start(); // no second loop
        await WaitForAsync(() => Volatile.Read(ref runs) == 1);
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(() => Volatile.Read(ref runs) == 2);
        clock.Advance(TimeSpan.FromSeconds(1));
        await firstRun.Task;

        ValueTask disposing = work.DisposeAsync();
        Assert.That(disposing.IsCompleted, Is.False, "disposal waits for the run in progress");
        release.SetResult();
        await disposing;
        Assert.That(finished, Is.True);
        Assert.That(runs, Is.EqualTo(3), "one loop: one run at once and one per interval");
        Assert.That(work.Start, Throws.InstanceOf<ObjectDisposedException>());
    }

    private static Task WaitForAsync(Func<bool> condition) =>
        Locking.LockTestSupport.WaitUntilAsync(condition, TimeSpan.FromSeconds(10), "the next run");
}
