using System.Diagnostics;
using System.Net;
using Realm.Data.Locking;
using Realm.Data.Locking.Internal;
using Realm.Server.Tests.Integration;
using StackExchange.Redis;

namespace Realm.Server.Tests.Data.Locking;

/// <summary>Single-instance Redis locks when the server stops answering: paused, killed, restarted.</summary>
[TestFixture]
[Category("Integration")]
[CancelAfter(90_000)]
public sealed class RedisLockTests
{
    [TestCase(200)]
    [TestCase(400)]
    [TestCase(800)]
    [TestCase(1600)]
    public async Task LeaseLost_RenewalsBlockedByClientPause_FiresWhileTheServerStillHoldsTheLease(int leaseMs)
    {
        DnsEndPoint server = LockTestSupport.RedisServers()[0];
        TimeSpan lease = TimeSpan.FromMilliseconds(leaseMs);
        ConnectionMultiplexer admin = await LockTestSupport.ConnectAsync(server);
        await using DistributedLock locks = await DistributedLock.ConnectRedisAsync(server);
        try
        {
            string resource = LockTestSupport.NewResource("paused");
            LockAcquisition acquisition = await locks.TryAcquireAsync(resource, lease, TimeSpan.FromSeconds(5));
            Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
            await using ILockHandle handle = acquisition.Handle!;
            await LockTestSupport.WaitUntilAsync(() => ((LockHandle)handle).Renewals >= 2, lease * 10, "two renewals before the pause");
            Assert.That(handle.IsHeld, Is.True, "lost before the pause");

            var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using CancellationTokenRegistration registration = handle.LeaseLost.Register(() => lost.TrySetResult());
            await LockTestSupport.PauseWritesAsync(admin, lease * 3); // EVAL blocks; reads (PTTL) still answer
            await lost.Task.WaitAsync(lease * 2);

            long pttl = (long)await admin.GetDatabase().ExecuteAsync("PTTL", (string)LockTestSupport.LockKey(resource)!);
            Assert.That(pttl, Is.GreaterThan(0), "LeaseLost fired after the lease had ended on the server");
            Assert.That(handle.IsHeld, Is.False);
        }
        finally
        {
            await LockTestSupport.UnpauseAsync(admin);
            await LockTestSupport.CloseAsync(admin);
        }
    }

    [Test]
    public async Task TryAcquire_WaitingASecondForAHeldLock_RetriesWithBackoffNotABusyLoop()
    {
        DnsEndPoint server = LockTestSupport.RedisServers()[0];
        ConnectionMultiplexer admin = await LockTestSupport.ConnectAsync(server);
        await using DistributedLock locks = await DistributedLock.ConnectRedisAsync(server);
        try
        {
            string resource = LockTestSupport.NewResource("backoff");
            LockAcquisition holder = await locks.TryAcquireAsync(resource, TimeSpan.FromSeconds(5), TimeSpan.Zero);
            Assert.That(holder.Acquired, Is.True, holder.Reason);
            await using ILockHandle handle = holder.Handle!;
            long before = await EvalCallsAsync(admin);

            LockAcquisition waiter = await locks.TryAcquireAsync(resource, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

            long attempts = await EvalCallsAsync(admin) - before; // the holder renews at most once in that second
            Assert.That(waiter.Status, Is.EqualTo(LockStatus.HeldElsewhere));
            // 5 ms doubling to 100 ms, with jitter: about 10–25 attempts in a second; a busy loop makes thousands.
            Assert.That(attempts, Is.InRange(5, 40), "attempts in one second of waiting");
        }
        finally
        {
            await LockTestSupport.CloseAsync(admin);
        }
    }

    [Test]
    public async Task RedisKilledDuringUse_HolderNotifiedAndClearErrors_AfterRestartLocksWorkWithLargerTokens()
    {
        string control = TestServices.RequireRedisControl();
        DnsEndPoint server = LockTestSupport.RedisServers()[^1];
        string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using DistributedLock locks = await DistributedLock.ConnectRedisAsync(server);
        await using DistributedLock redlock = await DistributedLock.ConnectRedlockAsync(LockTestSupport.RedisServers().Take(3).ToArray());
        string resource = LockTestSupport.NewResource("killed");
        TimeSpan lease = TimeSpan.FromMilliseconds(600);
        LockAcquisition acquisition = await locks.TryAcquireAsync(resource, lease, TimeSpan.FromSeconds(5));
        Assert.That(acquisition.Acquired, Is.True, acquisition.Reason);
        ILockHandle handle = acquisition.Handle!;
        long before = handle.FencingToken;
        var lost = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        long killedAt = 0;
        using CancellationTokenRegistration registration = handle.LeaseLost.Register(() => lost.TrySetResult(Stopwatch.GetElapsedTime(killedAt)));

        killedAt = Stopwatch.GetTimestamp();
        await TestServices.RunControlAsync(control, "kill", port);
        bool restarted = false;
        try
        {
            TimeSpan after = await lost.Task.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That(after, Is.LessThan(lease), "the holder learned of the loss only after its lease");
            Assert.That(handle.IsHeld, Is.False);

            LockAcquisition refused = await locks.TryAcquireAsync(LockTestSupport.NewResource("killed-other"), lease, TimeSpan.FromMilliseconds(200));
            Assert.That(refused.Status, Is.EqualTo(LockStatus.Unavailable));
            Assert.That(refused.Reason, Does.Contain($"Redis {LockTestSupport.Format(server)}"));

            // Redlock over the three, with this one dead: the other two are a majority.
            LockAcquisition majority = await redlock.TryAcquireAsync(LockTestSupport.NewResource("killed-redlock"), lease, TimeSpan.Zero);
            Assert.That(majority.Acquired, Is.True, majority.Reason);
            await majority.Handle!.DisposeAsync();

            await TestServices.RunControlAsync(control, "start", port);
            restarted = true;

            // The multiplexer reconnects on its own; the restarted server has lost every key, the fencing counter too.
            LockAcquisition again = await locks.TryAcquireAsync(resource, lease, TimeSpan.FromSeconds(30));
            Assert.That(again.Acquired, Is.True, again.Reason);
            await using ILockHandle next = again.Handle!;
            Assert.That(next.FencingToken, Is.GreaterThan(before), "a restart without persistence reset the tokens below the old holder's");
            await LockTestSupport.WaitUntilAsync(() => ((LockHandle)next).Renewals >= 3, lease * 10, "renewed across a lease after the restart");
            Assert.That(next.IsHeld, Is.True);
            Assert.That(next.LeaseLost.IsCancellationRequested, Is.False);
        }
        finally
        {
            if (!restarted)
            {
                await TestServices.RunControlAsync(control, "start", port); // leave it running for the other tests
            }

            await handle.DisposeAsync();
        }
    }

    /// <summary>Script calls the server has run (INFO commandstats: EVAL and EVALSHA, which StackExchange.Redis switches to), renewals of other locks included.</summary>
    private static async Task<long> EvalCallsAsync(ConnectionMultiplexer admin)
    {
        string info = (string)(await admin.GetDatabase().ExecuteAsync("INFO", "commandstats"))!;
        long calls = 0;
        foreach (string line in info.Split('\n'))
        {
            if (line.StartsWith("cmdstat_eval:", StringComparison.Ordinal) || line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal))
            {
                int start = line.IndexOf("calls=", StringComparison.Ordinal) + 6;
                int end = line.IndexOf(',', start);
                calls += long.Parse(line[start..end], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
