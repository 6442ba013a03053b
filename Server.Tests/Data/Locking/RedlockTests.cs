using System.Globalization;
using System.Net;
using Realm.Data.Locking;
using Realm.Data.Locking.Internal;
using StackExchange.Redis;

namespace Realm.Server.Tests.Data.Locking;

/// <summary>Redlock over the three independent Redis servers of <c>./run.sh test</c>: majority rules and validity.</summary>
[TestFixture]
[Category("Integration")]
[CancelAfter(60_000)]
public sealed class RedlockTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(1);
    private IReadOnlyList<DnsEndPoint> _servers = null!;
    private ConnectionMultiplexer[] _admin = null!;

    [SetUp]
    public async Task SetUp()
    {
        _servers = LockTestSupport.RedisServers();
        _admin = await Task.WhenAll(_servers.Take(3).Select(LockTestSupport.ConnectAsync));
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (ConnectionMultiplexer admin in _admin)
        {
            await LockTestSupport.UnpauseAsync(admin);
            await LockTestSupport.CloseAsync(admin);
        }
    }

    [Test]
    public async Task TryAcquire_OneOfThreeDown_MajorityGrantsAndRenewals_KeepIt()
    {
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray());
        await LockTestSupport.PauseWritesAsync(_admin[0], TimeSpan.FromSeconds(5));
        string resource = LockTestSupport.NewResource("redlock-one-down");
        TimeSpan lease = TimeSpan.FromMilliseconds(500);

        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, lease, TimeSpan.Zero);

        Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
        await using ILockHandle handle = acquisition.Handle!;
        Assert.That(await KeyOwnersAsync(resource), Is.EqualTo(new[] { false, true, true }));
        await LockTestSupport.WaitUntilAsync(() => ((LockHandle)handle).Renewals >= 6, TimeSpan.FromSeconds(10), "six renewals by the two masters that answer (two leases)");
        Assert.That(handle.IsHeld, Is.True);
        Assert.That(handle.LeaseLost.IsCancellationRequested, Is.False);
        LockAcquisition other = await locks.TryAcquireAsync(resource, lease, TimeSpan.Zero);
        Assert.That(other.Status, Is.Not.EqualTo(LockStatus.Acquired));
    }

    [Test]
    public async Task TryAcquire_TwoOfThreeDown_IsRefusedAndTheGrantingMinorityIsUndone()
    {
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray());
        await LockTestSupport.PauseWritesAsync(_admin[0], TimeSpan.FromSeconds(5));
        await LockTestSupport.PauseWritesAsync(_admin[1], TimeSpan.FromSeconds(5));
        string resource = LockTestSupport.NewResource("redlock-two-down");

        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);

        Assert.That(acquisition.Status, Is.EqualTo(LockStatus.Unavailable));
        Assert.That(acquisition.Reason, Does.Contain("no majority").And.Contain("did not answer"));
        Assert.That(await KeyOwnersAsync(resource), Is.EqualTo(new[] { false, false, false }), "the instance that granted it kept a minority lock");
    }

    [Test]
    public async Task TryAcquire_AnotherOwnerOnAMajority_IsHeldElsewhereAndTheMinorityGrantIsUndone()
    {
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray());
        string resource = LockTestSupport.NewResource("redlock-minority");
        for (int i = 0; i < 2; i++)
        {
            await _admin[i].GetDatabase().StringSetAsync(LockTestSupport.LockKey(resource), "someone-else", TimeSpan.FromSeconds(10));
        }

        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);

        Assert.That(acquisition.Status, Is.EqualTo(LockStatus.HeldElsewhere), acquisition.Reason);
        Assert.That((string?)await _admin[2].GetDatabase().StringGetAsync(LockTestSupport.LockKey(resource)), Is.Null, "a minority grant was left behind");
        Assert.That((string?)await _admin[0].GetDatabase().StringGetAsync(LockTestSupport.LockKey(resource)), Is.EqualTo("someone-else"), "the other owner's lock was touched");
    }

    [Test]
    public async Task FencingToken_MastersWithDifferentCounters_NextMajorityStillCountsHigher()
    {
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray());
        string resource = LockTestSupport.NewResource("redlock-fence");
        LockAcquisition first = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        Assert.That(first.Acquired, Is.True, first.Reason);
        await first.Handle!.ReleaseAsync();

        // Master 2 runs far ahead; with master 0 away the majority is {1, 2}: the holder gets master 2's token
        // and must write it back to master 1.
        long ahead = first.Handle.FencingToken + 1_000_000_000;
        await _admin[2].GetDatabase().StringSetAsync(LockTestSupport.FenceKey(resource), ahead.ToString(CultureInfo.InvariantCulture));
        await LockTestSupport.PauseWritesAsync(_admin[0], TimeSpan.FromSeconds(5));
        LockAcquisition second = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        Assert.That(second.Acquired, Is.True, second.Reason);
        Assert.That(second.Handle!.FencingToken, Is.GreaterThan(ahead));
        await second.Handle.ReleaseAsync();

        // Now without master 2: the majority {0, 1} must still count above the token it handed out.
        await LockTestSupport.UnpauseAsync(_admin[0]);
        await LockTestSupport.PauseWritesAsync(_admin[2], TimeSpan.FromSeconds(5));
        LockAcquisition third = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
        Assert.That(third.Acquired, Is.True, third.Reason);
        await using ILockHandle handle = third.Handle!;
        Assert.That(handle.FencingToken, Is.GreaterThan(second.Handle.FencingToken), "a later majority handed out a smaller token");
    }

    [Test]
    public async Task FencingToken_FreshAndReusedResources_EveryMasterStoresTheSameToken()
    {
        // The token floor (client clock + 1 s) wins on every master, so one round is enough: no write-back.
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray());
        string resource = LockTestSupport.NewResource("redlock-agree");
        for (int i = 0; i < 5; i++)
        {
            LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);
            Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
            await using ILockHandle handle = acquisition.Handle!;
            for (int m = 0; m < 3; m++)
            {
                string? stored = await _admin[m].GetDatabase().StringGetAsync(LockTestSupport.FenceKey(resource));
                Assert.That(stored, Is.EqualTo(handle.FencingToken.ToString(CultureInfo.InvariantCulture)), $"master {m}, holder {i}");
            }
        }
    }

    [Test]
    public async Task TryAcquire_AcquisitionSlowerThanTheValidity_FailsAndReleasesOnEveryMaster()
    {
        // Every clock read moves 900 ms on: the acquisition "takes" 900 ms of a 1 s lease, more than its
        // validity (1 s − drift 12 ms − guard 167 ms = 821 ms), so the lock must not be handed out.
        var clock = new SteppingClock(TimeSpan.FromMilliseconds(900));
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray(), new LockOptions { TimeProvider = clock });
        string resource = LockTestSupport.NewResource("redlock-slow");

        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);

        Assert.That(acquisition.Status, Is.EqualTo(LockStatus.Unavailable));
        Assert.That(acquisition.Reason, Does.Contain("leaving no validity of the 1000 ms lease"));
        Assert.That(await KeyOwnersAsync(resource), Is.EqualTo(new[] { false, false, false }));
    }

    [Test]
    public async Task TryAcquire_AcquisitionWithinTheValidity_Succeeds()
    {
        var clock = new SteppingClock(TimeSpan.FromMilliseconds(700)); // 700 ms < 821 ms of validity
        await using DistributedLock locks = await DistributedLock.ConnectRedlockAsync(_servers.Take(3).ToArray(), new LockOptions { TimeProvider = clock, AutoRenew = false });
        string resource = LockTestSupport.NewResource("redlock-in-time");

        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, Lease, TimeSpan.Zero);

        Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
        await acquisition.Handle!.ReleaseAsync();
    }

    [Test]
    public void ConnectRedlock_FewerThanThreeServers_Throws()
    {
        Assert.That(async () => await DistributedLock.ConnectRedlockAsync(_servers.Take(2).ToArray()), Throws.ArgumentException.With.Message.Contain("three or more"));
    }

    private async Task<bool[]> KeyOwnersAsync(string resource)
    {
        var present = new bool[3];
        for (int i = 0; i < 3; i++)
        {
            present[i] = await _admin[i].GetDatabase().KeyExistsAsync(LockTestSupport.LockKey(resource));
        }

        return present;
    }

    /// <summary>A clock that moves on by a fixed step at every read (timers are real).</summary>
    private sealed class SteppingClock(TimeSpan step) : TimeProvider
    {
        private long _now = 1_000_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _now, step.Ticks);
    }
}
