using System.Diagnostics;
using Realm.Data.Internal;
using Realm.Data.Locking;
using Realm.Data.Locking.Internal;

namespace Realm.Server.Tests.Data.Locking;

/// <summary>The behaviour every backend must have, run against in-process, one Redis and Redlock over three.</summary>
[TestFixture(LockKind.InProcess)]
[TestFixture(LockKind.Redis)]
[TestFixture(LockKind.Redlock)]
[CancelAfter(60_000)]
public sealed class DistributedLockContractTests(LockKind kind)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private DistributedLock _lock = null!;
    private readonly List<ILockHandle> _handles = [];

    [SetUp]
    public async Task SetUp() => _lock = await LockTestSupport.CreateAsync(kind);

    [TearDown]
    public async Task TearDown()
    {
        foreach (ILockHandle handle in _handles)
        {
            await handle.DisposeAsync();
        }

        await _lock.DisposeAsync();
    }

    [Test]
    public async Task TryAcquire_FreeResource_ReturnsHeldHandleWithPositiveToken()
    {
        string resource = LockTestSupport.NewResource("free");
        ILockHandle handle = await AcquireAsync(_lock, resource);

        Assert.That(handle.Resource, Is.EqualTo(resource));
        Assert.That(handle.IsHeld, Is.True);
        Assert.That(handle.FencingToken, Is.GreaterThan(0));
        Assert.That(handle.Lease, Is.EqualTo(Lease));
        Assert.That(handle.RemainingValidity, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(Lease));
        Assert.That(handle.LeaseLost.IsCancellationRequested, Is.False);
    }

    [Test]
    public async Task TryAcquire_HeldResourceWithoutWaiting_ReportsHeldElsewhere()
    {
        string resource = LockTestSupport.NewResource("held");
        await AcquireAsync(_lock, resource);

        LockAcquisition second = await _lock.TryAcquireAsync(resource, Lease, TimeSpan.Zero);

        Assert.That(second.Status, Is.EqualTo(LockStatus.HeldElsewhere));
        Assert.That(second.Handle, Is.Null);
        Assert.That(second.Reason, Does.Contain(resource).And.Contain("another owner"));
    }

    [Test]
    public async Task TryAcquire_HeldForTheWholeWait_ReturnsHeldElsewhereAfterTheWait()
    {
        string resource = LockTestSupport.NewResource("wait");
        await AcquireAsync(_lock, resource);

        long start = Stopwatch.GetTimestamp();
        LockAcquisition second = await _lock.TryAcquireAsync(resource, Lease, TimeSpan.FromMilliseconds(300));

        Assert.That(second.Status, Is.EqualTo(LockStatus.HeldElsewhere));
        Assert.That(Stopwatch.GetElapsedTime(start), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(295)));
    }

    [Test]
    public async Task TryAcquire_WaiterWhileHolderReleases_GetsTheLockWithALargerToken()
    {
        string resource = LockTestSupport.NewResource("waiter");
        ILockHandle first = await AcquireAsync(_lock, resource);
        ValueTask<LockAcquisition> waiting = _lock.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.That(await first.ReleaseAsync(), Is.True);

        LockAcquisition second = await waiting;

        Assert.That(second.Acquired, Is.True, second.Reason);
        _handles.Add(second.Handle!);
        Assert.That(second.Handle!.FencingToken, Is.GreaterThan(first.FencingToken));
    }

    [Test]
    public async Task FencingTokens_OverSuccessiveHolders_StrictlyIncrease()
    {
        string resource = LockTestSupport.NewResource("tokens");
        long previous = 0;
        for (int i = 0; i < 50; i++)
        {
            LockAcquisition acquisition = await _lock.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(5));
            Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
            await using ILockHandle handle = acquisition.Handle!;
            Assert.That(handle.FencingToken, Is.GreaterThan(previous), $"holder {i}");
            previous = handle.FencingToken;
        }
    }

    [Test]
    public async Task MutualExclusion_ManyTasksIncrementingOneCounter_LoseNoUpdate()
    {
        const int Tasks = 6;
        const int Rounds = 15;
        string resource = LockTestSupport.NewResource("counter");
        int counter = 0;
        int inside = 0;
        long maxInside = 0;
        var order = new object();
        var entered = new List<long>();

        async Task WorkAsync()
        {
            for (int i = 0; i < Rounds; i++)
            {
                LockAcquisition acquisition = await _lock.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(20));
                Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
                await using ILockHandle handle = acquisition.Handle!;
                int now = Interlocked.Increment(ref inside);
                InterlockedMath.Max(ref maxInside, now);
                lock (order)
                {
                    entered.Add(handle.FencingToken);
                }

                int read = counter;
                await Task.Delay(1); // a read-modify-write that spans an await: a second holder would lose an update
                counter = read + 1;
                Interlocked.Decrement(ref inside);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Tasks).Select(_ => Task.Run(WorkAsync)));

        Assert.That(counter, Is.EqualTo(Tasks * Rounds), "updates lost: two holders at once");
        Assert.That(maxInside, Is.EqualTo(1));
        Assert.That(entered, Is.Ordered.Ascending, "a later holder got a smaller token");
        Assert.That(entered.Distinct().Count(), Is.EqualTo(Tasks * Rounds));
    }

    [Test]
    public async Task Release_ByAHandleWhoseLeaseEnded_LeavesTheNewOwnerHolding()
    {
        await using DistributedLock manual = await LockTestSupport.CreateAsync(kind, new LockOptions { AutoRenew = false });
        string resource = LockTestSupport.NewResource("nonowner");
        ILockHandle stale = await AcquireAsync(manual, resource, TimeSpan.FromMilliseconds(150));
        LockAcquisition next = await manual.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(5)); // free once the lease ends
        Assert.That(next.Acquired, Is.True, next.Reason);
        _handles.Add(next.Handle!);

        Assert.That(await stale.ReleaseAsync(), Is.False, "a non-owner released the lock");

        Assert.That(next.Handle!.IsHeld, Is.True);
        LockAcquisition third = await manual.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        Assert.That(third.Status, Is.EqualTo(LockStatus.HeldElsewhere), "the non-owner's release freed the new owner's lock");
    }

    [Test]
    public async Task Extend_AfterTheLeaseEndedAndAnotherOwnerTookIt_FailsAndSignalsLoss()
    {
        await using DistributedLock manual = await LockTestSupport.CreateAsync(kind, new LockOptions { AutoRenew = false });
        string resource = LockTestSupport.NewResource("extend-late");
        ILockHandle stale = await AcquireAsync(manual, resource, TimeSpan.FromMilliseconds(150));
        LockAcquisition next = await manual.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(5));
        Assert.That(next.Acquired, Is.True, next.Reason);
        _handles.Add(next.Handle!);

        Assert.That(await stale.ExtendAsync(), Is.False);

        Assert.That(stale.IsHeld, Is.False);
        Assert.That(stale.LeaseLost.IsCancellationRequested, Is.True);
        Assert.That(next.Handle!.IsHeld, Is.True);
    }

    [Test]
    public async Task Extend_WhileHeld_MovesTheValidityForward_SoTheLossComesLater()
    {
        // Lease 1 s without renewal: unextended, LeaseLost fires at most ~821 ms (lease − drift − lease/6) after the
        // acquisition. Extended once about 320 ms in, it fires at least ~1,141 ms after it.
        await using DistributedLock manual = await LockTestSupport.CreateAsync(kind, new LockOptions { AutoRenew = false });
        string resource = LockTestSupport.NewResource("extend");
        ILockHandle handle = await AcquireAsync(manual, resource, TimeSpan.FromSeconds(1));
        long acquired = Stopwatch.GetTimestamp();
        var lost = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = handle.LeaseLost.Register(() => lost.TrySetResult(Stopwatch.GetElapsedTime(acquired)));
        await LockTestSupport.WaitUntilAsync(() => handle.RemainingValidity < TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), "a third of the validity used");
        TimeSpan before = handle.RemainingValidity;

        Assert.That(await handle.ExtendAsync(), Is.True);

        Assert.That(handle.RemainingValidity, Is.GreaterThan(before + TimeSpan.FromMilliseconds(200)));
        Assert.That(((LockHandle)handle).Renewals, Is.EqualTo(1));
        TimeSpan at = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(at, Is.GreaterThan(TimeSpan.FromMilliseconds(1000)), "the loss came at the unextended deadline");
    }

    [TestCase(100)]
    [TestCase(400)]
    public async Task Watchdog_HoldingForSixLeases_KeepsTheLock(int leaseMs)
    {
        string resource = LockTestSupport.NewResource("watchdog");
        TimeSpan lease = TimeSpan.FromMilliseconds(leaseMs);
        ILockHandle handle = await AcquireAsync(_lock, resource, lease);
        long start = Stopwatch.GetTimestamp();
        var renewing = (LockHandle)handle;
        int checks = 0;
        while (renewing.Renewals < 18) // renewals come every lease/3: 18 of them span six leases
        {
            LockAcquisition other = await _lock.TryAcquireAsync(resource, lease, TimeSpan.Zero);
            Assert.That(other.Status, Is.EqualTo(LockStatus.HeldElsewhere), $"lost after {Stopwatch.GetElapsedTime(start).TotalMilliseconds:F0} ms");
            Assert.That(handle.IsHeld, Is.True);
            checks++;
            int seen = renewing.Renewals;
            await LockTestSupport.WaitUntilAsync(() => renewing.Renewals > seen || !renewing.IsHeld, lease * 4, "the next renewal");
        }

        Assert.That(handle.LeaseLost.IsCancellationRequested, Is.False);
        Assert.That(Stopwatch.GetElapsedTime(start), Is.GreaterThanOrEqualTo(lease * 5), "held for about six leases");
        Assert.That(checks, Is.GreaterThanOrEqualTo(18));
    }

    [Test]
    public async Task Watchdog_TwoHundredHandlesOnOneTimer_EveryOneIsRenewedAndKept()
    {
        TimeSpan lease = TimeSpan.FromMilliseconds(300);
        var held = new List<LockHandle>();
        for (int i = 0; i < 200; i++)
        {
            held.Add((LockHandle)await AcquireAsync(_lock, LockTestSupport.NewResource($"many{i}"), lease));
        }

        // Three renewals each take every handle past its first lease; none may be lost on the way.
        await LockTestSupport.WaitUntilAsync(() => held.TrueForAll(h => h.Renewals >= 3 || !h.IsHeld), TimeSpan.FromSeconds(20), "three renewals of every handle");

        Assert.That(held.FindAll(h => !h.IsHeld || h.LeaseLost.IsCancellationRequested), Is.Empty, "handles lost while renewed");
        LockAcquisition other = await _lock.TryAcquireAsync(held[^1].Resource, lease, TimeSpan.Zero);
        Assert.That(other.Status, Is.EqualTo(LockStatus.HeldElsewhere));
    }

    [Test]
    public async Task Dispose_WithAHandleStillHeld_ItsLeaseLostFiresBeforeTheLeaseEnds()
    {
        DistributedLock closing = await LockTestSupport.CreateAsync(kind);
        TimeSpan lease = TimeSpan.FromMilliseconds(400);
        ILockHandle handle = await AcquireAsync(closing, LockTestSupport.NewResource("closing"), lease);
        var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        long closedAt = Stopwatch.GetTimestamp();
        using CancellationTokenRegistration registration = handle.LeaseLost.Register(() => fired.TrySetResult(Stopwatch.GetElapsedTime(closedAt)));

        await closing.DisposeAsync();
        TimeSpan at = await fired.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(at, Is.LessThan(lease), "the holder learned of the loss before the lease could end");
        Assert.That(handle.IsHeld, Is.False);
        Assert.That(await handle.ReleaseAsync(), Is.False, "nothing to release after the loss");
    }

    [Test]
    public async Task LeaseLost_WithoutRenewal_FiresBeforeTheLeaseEnds()
    {
        await using DistributedLock manual = await LockTestSupport.CreateAsync(kind, new LockOptions { AutoRenew = false });
        string resource = LockTestSupport.NewResource("lost");
        TimeSpan lease = TimeSpan.FromMilliseconds(300);
        long start = Stopwatch.GetTimestamp();
        ILockHandle handle = await AcquireAsync(manual, resource, lease);
        var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = handle.LeaseLost.Register(() => fired.TrySetResult(Stopwatch.GetElapsedTime(start)));

        TimeSpan at = await fired.Task.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(at, Is.LessThan(lease), "LeaseLost fired after the server-side lease could have ended");
        Assert.That(handle.IsHeld, Is.False);
        Assert.That(handle.RemainingValidity, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task Release_StopsRenewal_AnotherOwnerKeepsTheLockPastTheLease()
    {
        string resource = LockTestSupport.NewResource("release");
        TimeSpan lease = TimeSpan.FromMilliseconds(150);
        ILockHandle first = await AcquireAsync(_lock, resource, lease);
        Assert.That(await first.ReleaseAsync(), Is.True);
        Assert.That(await first.ReleaseAsync(), Is.False, "second release");
        Assert.That(first.IsHeld, Is.False);
        Assert.That(first.LeaseLost.IsCancellationRequested, Is.False, "a release is not a loss");
        int renewedBeforeRelease = ((LockHandle)first).Renewals;

        ILockHandle second = await AcquireAsync(_lock, resource, lease);
        // Four renewals at lease/3 take the second holder past its first lease (and past the first's).
        await LockTestSupport.WaitUntilAsync(() => ((LockHandle)second).Renewals >= 4, TimeSpan.FromSeconds(10), "the second holder renewed four times");

        Assert.That(second.IsHeld, Is.True);
        Assert.That(((LockHandle)first).Renewals, Is.EqualTo(renewedBeforeRelease), "a released handle renewed");
        Assert.That(await first.ExtendAsync(), Is.False, "a released handle extended");
        LockAcquisition third = await _lock.TryAcquireAsync(resource, lease, TimeSpan.Zero);
        Assert.That(third.Status, Is.EqualTo(LockStatus.HeldElsewhere));
    }

    [Test]
    public async Task TryAcquire_CancelledWhileWaiting_ThrowsAndLeavesNoLock()
    {
        string resource = LockTestSupport.NewResource("cancel");
        ILockHandle holder = await AcquireAsync(_lock, resource);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.That(async () => await _lock.TryAcquireAsync(resource, Lease, TimeSpan.FromSeconds(10), cancel.Token), Throws.InstanceOf<OperationCanceledException>());

        await holder.ReleaseAsync();
        LockAcquisition after = await _lock.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        Assert.That(after.Acquired, Is.True, "the cancelled waiter left a lock behind");
        _handles.Add(after.Handle!);
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("brace{")]
    [TestCase("tab\tx")]
    public void TryAcquire_BadResource_ThrowsNamingIt(string resource)
    {
        Assert.That(async () => await _lock.TryAcquireAsync(resource, Lease, TimeSpan.Zero), Throws.ArgumentException.With.Message.Contain("resource"));
    }

    [Test]
    public void TryAcquire_LeaseOutOfRange_Throws()
    {
        Assert.That(async () => await _lock.TryAcquireAsync("x", TimeSpan.FromMilliseconds(10), TimeSpan.Zero), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("lease"));
        Assert.That(async () => await _lock.TryAcquireAsync("x", Lease, TimeSpan.FromMilliseconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("wait"));
    }

    private async Task<ILockHandle> AcquireAsync(DistributedLock service, string resource, TimeSpan? lease = null)
    {
        LockAcquisition acquisition = await service.TryAcquireAsync(resource, lease ?? Lease, TimeSpan.FromSeconds(5));
        Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
        _handles.Add(acquisition.Handle!);
        return acquisition.Handle!;
    }
}
