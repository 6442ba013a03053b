using System.Data;
using System.Diagnostics;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Server.Tests.Data.Pooling;

/// <summary>Pool behaviour against SQLite (the embedded default); MariaDB-specific behaviour is in ConnectionPoolMariaDbTests.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ConnectionPoolTests
{
    [Test]
    public async Task AcquireRelease_ReusesTheSameConnection_AndCountsIt()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("reuse"), new ConnectionPoolOptions { MaxSize = 4 });
        System.Data.Common.DbConnection first;
        using (PooledConnection lease = await pool.AcquireAsync())
        {
            first = lease.Connection;
            Assert.That(first.State, Is.EqualTo(ConnectionState.Open));
            Assert.That(pool.Statistics.Leased, Is.EqualTo(1));
        }

        using (PooledConnection lease = await pool.AcquireAsync())
        {
            Assert.That(lease.Connection, Is.SameAs(first));
        }

        PoolStatistics s = pool.Statistics;
        Assert.That((s.Total, s.Idle, s.Leased, s.Creations, s.Acquisitions), Is.EqualTo((1, 1, 0, 1L, 2L)));
    }

    [Test]
    public async Task Lease_DisposedTwiceOrCopied_GivesTheConnectionBackOnce()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("twice"), new ConnectionPoolOptions { MaxSize = 2 });
        PooledConnection lease = await pool.AcquireAsync();
        PooledConnection copy = lease;
        lease.Dispose();
        copy.Dispose();
        Assert.That(() => lease.Connection, Throws.InstanceOf<ObjectDisposedException>());
        PooledConnection a = await pool.AcquireAsync();
        PooledConnection b = await pool.AcquireAsync();
        lease.Dispose(); // stale: must not release a's or b's connection
        Assert.That(pool.Statistics.Leased, Is.EqualTo(2));
        a.Dispose();
        b.Dispose();
    }

    [Test]
    public async Task Exhausted_WaitersAreServedFirstComeFirstServed()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("fifo"), new ConnectionPoolOptions { MaxSize = 2, AcquireTimeout = TimeSpan.FromSeconds(10) });
        PooledConnection a = await pool.AcquireAsync();
        PooledConnection b = await pool.AcquireAsync();
        var order = new List<int>();
        var waiters = new List<Task>();
        for (int i = 0; i < 5; i++)
        {
            int id = i;
            waiters.Add(Task.Run(async () =>
            {
                PooledConnection lease = await pool.AcquireAsync();
                lock (order)
                {
                    order.Add(id);
                }

                lease.Dispose();
            }));
            await WaitForAsync(() => pool.Statistics.Waiters == id + 1); // queued in this order
        }

        a.Dispose();
        await Task.WhenAll(waiters);
        b.Dispose();
        Assert.That(order, Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
        Assert.That(pool.Statistics.Total, Is.EqualTo(2));
    }

    [Test]
    public async Task Exhausted_TimesOutAtTheDeadline_WithAMessageGivingThePoolsState()
    {
        await using var pool = new ConnectionPool("shard_7", PoolEndpoints.Sqlite("timeout"), new ConnectionPoolOptions { MaxSize = 1, AcquireTimeout = TimeSpan.FromMilliseconds(200) });
        using PooledConnection held = await pool.AcquireAsync();
        var clock = Stopwatch.StartNew();
        PoolTimeoutException? error = Assert.ThrowsAsync<PoolTimeoutException>(async () => await pool.AcquireAsync());
        clock.Stop();
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(195)));
        Assert.That(error!.Message, Does.Contain("shard_7").And.Contain("size 1 of 1").And.Contain("1 leased").And.Contain("waiting"));
        Assert.That(pool.Statistics.Timeouts, Is.EqualTo(1));
        Assert.That(pool.Statistics.Waiters, Is.Zero);
    }

    [Test]
    public async Task Waiting_Cancelled_ThrowsAndLeavesNoWaiterBehind()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("cancel"), new ConnectionPoolOptions { MaxSize = 1, AcquireTimeout = TimeSpan.FromSeconds(10) });
        PooledConnection held = await pool.AcquireAsync();
        using var cancel = new CancellationTokenSource();
        Task<PooledConnection> waiting = pool.AcquireAsync(cancel.Token).AsTask();
        await WaitForAsync(() => pool.Statistics.Waiters == 1);
        await cancel.CancelAsync();
        Assert.That(async () => await waiting, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(pool.Statistics.Waiters, Is.Zero);
        held.Dispose();
        using PooledConnection again = await pool.AcquireAsync();
        Assert.That(pool.Statistics.Total, Is.EqualTo(1));
    }

    [Test]
    public async Task ManyRandomTimeoutsAndCancellations_LoseNoPermits()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("permits"), new ConnectionPoolOptions { MaxSize = 3, AcquireTimeout = TimeSpan.FromMilliseconds(20) });
        long acquired = 0, failed = 0;
        Task[] workers = Enumerable.Range(0, 16).Select(seed => Task.Run(async () =>
        {
            var random = new Random(seed);
            for (int i = 0; i < 150; i++)
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(1, 15)));
                try
                {
                    using PooledConnection lease = await pool.AcquireAsync(random.Next(2) == 0 ? cancel.Token : default);
                    Interlocked.Increment(ref acquired);
                    await Task.Delay(random.Next(0, 3));
                }
                catch (Exception e) when (e is PoolTimeoutException or OperationCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);

        PoolStatistics s = pool.Statistics;
        TestContext.Out.WriteLine($"acquired {acquired}, timed out or cancelled {failed}: {s}");
        Assert.That(acquired + failed, Is.EqualTo(16 * 150));
        Assert.That(acquired, Is.GreaterThan(100));
        Assert.That((s.Leased, s.Waiters), Is.EqualTo((0, 0)));
        Assert.That(s.Idle + s.Leased, Is.EqualTo(s.Total), "idle + leased == total");
        Assert.That(s.Total, Is.InRange(1, 3));
        for (int i = 0; i < s.Total; i++)
        {
            await pool.AcquireAsync(); // every counted connection can still be leased
        }

        Assert.That(pool.Statistics.Leased, Is.EqualTo(s.Total));
    }

    [Test]
    public async Task Validation_OnlyAfterTheIdleThreshold_OnePingPerIdlePeriod()
    {
        var clock = new ManualClock();
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("validate"), new ConnectionPoolOptions { MaxSize = 2 }, time: clock);
        for (int i = 0; i < 100; i++)
        {
            (await pool.AcquireAsync()).Dispose();
            clock.Advance(TimeSpan.FromMilliseconds(4)); // used every 4 ms: never idle 500 ms
        }

        Assert.That(pool.Statistics.Validations, Is.Zero);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        (await pool.AcquireAsync()).Dispose();
        (await pool.AcquireAsync()).Dispose();
        Assert.That(pool.Statistics.Validations, Is.EqualTo(1), "one ping after the idle period, none right after it");
    }

    [Test]
    public async Task MarkBroken_ClosesThatConnection_AndChecksTheIdleOnesBeforeTheirNextUse()
    {
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("broken"), new ConnectionPoolOptions { MaxSize = 2 });
        PooledConnection a = await pool.AcquireAsync();
        PooledConnection b = await pool.AcquireAsync();
        System.Data.Common.DbConnection brokenOne = a.Connection;
        b.Dispose();
        a.MarkBroken();
        a.Dispose();
        Assert.That(brokenOne.State, Is.EqualTo(ConnectionState.Closed));
        Assert.That(pool.Statistics.Evictions, Is.EqualTo(1));
        using PooledConnection next = await pool.AcquireAsync();
        Assert.That(next.Connection, Is.Not.SameAs(brokenOne));
        Assert.That(pool.Statistics.Validations, Is.EqualTo(1), "the idle survivor was pinged before reuse");
    }

    [Test]
    public async Task Lifetime_PassedConnectionsAreRetired_IdleByMaintenance_LeasedOnReturn()
    {
        var clock = new ManualClock();
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("lifetime"), new ConnectionPoolOptions { MaxSize = 2, MaxLifetime = TimeSpan.FromSeconds(10), LifetimeJitter = 0 }, time: clock);
        PooledConnection leased = await pool.AcquireAsync();
        (await pool.AcquireAsync()).Dispose();
        clock.Advance(TimeSpan.FromSeconds(11));
        await pool.RunMaintenanceAsync();
        Assert.That(pool.Statistics.Total, Is.EqualTo(1), "the idle one was closed");
        leased.Dispose();
        Assert.That(pool.Statistics.Total, Is.Zero, "the leased one was closed when given back");
        Assert.That(pool.Statistics.Evictions, Is.EqualTo(2));
    }

    [Test]
    public async Task LeakDetection_ReportsALeaseHeldTooLong_WithWhereItWasTaken_Once()
    {
        var clock = new ManualClock();
        var log = new ListLogger();
        await using var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("leak"), new ConnectionPoolOptions { MaxSize = 2, LeakDetectionThreshold = TimeSpan.FromSeconds(2) }, log, clock);
        PooledConnection forgotten = await pool.AcquireAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        await pool.RunMaintenanceAsync();
        Assert.That(pool.Statistics.LeaksDetected, Is.Zero);
        clock.Advance(TimeSpan.FromSeconds(2));
        await pool.RunMaintenanceAsync();
        await pool.RunMaintenanceAsync();
        Assert.That(pool.Statistics.LeaksDetected, Is.EqualTo(1));
        Assert.That(log.Entries.Single(e => e.Id.Id == 2101).Message, Does.Contain(nameof(LeakDetection_ReportsALeaseHeldTooLong_WithWhereItWasTaken_Once)).And.Contain("ConnectionPoolTests.cs"));
        forgotten.Dispose();
    }

    [Test]
    public async Task Breaker_OpensAfterRepeatedFailures_FailsFast_ThenOneProbeClosesIt()
    {
        var clock = new ManualClock();
        var log = new ListLogger();
        string folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "pool-tests", "blocked-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        await File.WriteAllTextAsync(folder, "a file where the database folder should be");
        Assert.That(DatabaseEndpoint.TryCreateSqlite(Path.Combine(folder, "db.sqlite"), out DatabaseEndpoint? endpoint, out _), Is.True);
        await using var pool = new ConnectionPool("shard_3", endpoint!, new ConnectionPoolOptions { MaxSize = 2, BreakerFailureThreshold = 3, BreakerCooldown = TimeSpan.FromSeconds(5) }, log, clock);
        var changes = new List<(CircuitState, CircuitState)>();
        pool.BreakerChanged += (_, from, to) => changes.Add((from, to));

        for (int i = 0; i < 3; i++)
        {
            Assert.That(async () => await pool.AcquireAsync(), Throws.InstanceOf<IOException>(), "the real cause while the breaker is closed");
        }

        Assert.That(pool.Breaker, Is.EqualTo(CircuitState.Open));
        PoolUnavailableException? fast = Assert.ThrowsAsync<PoolUnavailableException>(async () => await pool.AcquireAsync());
        Assert.That(fast!.Message, Does.Contain("shard_3").And.Contain("3 failed connection attempts").And.Contain("next attempt in 5000 ms"));
        Assert.That(pool.Statistics.CreationFailures, Is.EqualTo(3), "no attempt while open");

        File.Delete(folder); // the database is back
        clock.Advance(TimeSpan.FromSeconds(5));
        using (PooledConnection probe = await pool.AcquireAsync())
        {
            Assert.That(probe.Connection.State, Is.EqualTo(ConnectionState.Open));
        }

        Assert.That(pool.Breaker, Is.EqualTo(CircuitState.Closed));
        Assert.That(changes, Is.EqualTo(new[] { (CircuitState.Closed, CircuitState.Open), (CircuitState.Open, CircuitState.HalfOpen), (CircuitState.HalfOpen, CircuitState.Closed) }));
        Assert.That(log.Entries.Count(e => e.Id.Id == 2100), Is.EqualTo(3), "every state change is logged");
    }

    [Test]
    public async Task Dispose_WaitsForLeasesToComeBack_ThenClosesEverything()
    {
        var pool = new ConnectionPool("sqlite", PoolEndpoints.Sqlite("dispose"), new ConnectionPoolOptions { MaxSize = 2 });
        PooledConnection lease = await pool.AcquireAsync();
        System.Data.Common.DbConnection connection = lease.Connection;
        Task disposing = pool.DisposeAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        Assert.That(disposing.IsCompleted, Is.False, "waits for the lease");
        lease.Dispose();
        await disposing;
        Assert.That(connection.State, Is.EqualTo(ConnectionState.Closed));
        Assert.That(pool.Statistics.Total, Is.Zero);
        Assert.That(async () => await pool.AcquireAsync(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void Options_Invalid_AreRefusedNamingEverySetting()
    {
        var options = new ConnectionPoolOptions { MaxSize = 0, MinSize = -1, AcquireTimeout = TimeSpan.Zero, LifetimeJitter = 2 };
        Assert.That(() => new ConnectionPool("p", PoolEndpoints.Sqlite("options"), options),
            Throws.ArgumentException.With.Message.Contains("MaxSize").And.Message.Contains("MinSize").And.Message.Contains("AcquireTimeout").And.Message.Contains("LifetimeJitter"));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "condition not reached");
            await Task.Delay(1);
        }
    }
}
