using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Data.Pooling;

namespace Realm.Server.Tests.Data.Monitoring;

[TestFixture]
[CancelAfter(20_000)]
public sealed class HealthMonitorTests
{
    [Test]
    public async Task FirstCheck_OnAWorkingDatabase_IsHealthy_AndRaisesOneEvent()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions());
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions());
        var changes = new List<HealthChange>();
        monitor.HealthChanged += changes.Add;

        await monitor.CheckNowAsync();
        await monitor.CheckNowAsync();

        PoolHealth health = monitor.GetHealth("shard_0");
        Assert.That((health.State, health.Checks, health.ConsecutiveFailures, health.LastError), Is.EqualTo((HealthState.Healthy, 2L, 0, (string?)null)));
        Assert.That(health.LastPingLatency, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(changes.Select(c => (c.Pool, c.Old, c.New)), Is.EqualTo(new[] { ("shard_0", HealthState.Unknown, HealthState.Healthy) }));
    }

    [Test]
    public async Task FailingPings_DegradedThenDown_ThenRecovery_RefillsThePoolAtOnce()
    {
        (DatabaseEndpoint endpoint, string blocker) = BlockableSqlite();
        await using var pool = new ConnectionPool("shard_0", endpoint, new ConnectionPoolOptions { MinSize = 2, BreakerFailureThreshold = 100 });
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { DownAfterFailures = 2 });
        var changes = new List<HealthChange>();
        monitor.HealthChanged += changes.Add;

        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Degraded), "one failure is a warning");
        await monitor.CheckNowAsync();
        PoolHealth down = monitor.GetHealth("shard_0");
        Assert.That((down.State, down.ConsecutiveFailures), Is.EqualTo((HealthState.Down, 2)));
        Assert.That(down.LastError, Is.Not.Null.And.Not.Empty);

        File.Delete(blocker); // the database comes back
        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Healthy));
        Assert.That(pool.Statistics.Total, Is.EqualTo(2), "refilled to MinSize by the check that saw the recovery");
        Assert.That(changes.Select(c => c.New), Is.EqualTo(new[] { HealthState.Degraded, HealthState.Down, HealthState.Healthy }));
    }

    [Test]
    public async Task OpenBreaker_IsDownAtOnce_WithoutSpendingAnAttempt()
    {
        (DatabaseEndpoint endpoint, _) = BlockableSqlite();
        await using var pool = new ConnectionPool("shard_0", endpoint, new ConnectionPoolOptions { BreakerFailureThreshold = 1, BreakerCooldown = TimeSpan.FromMinutes(5) });
        Assert.ThrowsAsync<IOException>(async () => await pool.AcquireAsync());
        Assert.That(pool.Breaker, Is.EqualTo(CircuitState.Open));
        long failures = pool.Statistics.CreationFailures;

        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { DownAfterFailures = 5 });
        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Down));
        Assert.That(monitor.GetHealth("shard_0").LastError, Does.Contain("breaker"));
        Assert.That(pool.Statistics.CreationFailures, Is.EqualTo(failures), "no connection attempt during the cool-down");
    }

    [Test]
    public async Task SaturatedPool_IsDegraded_ButNotAFailure()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions { MaxSize = 1 });
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { PingTimeout = TimeSpan.FromMilliseconds(100) });
        using (PooledConnection held = await pool.AcquireAsync())
        {
            await monitor.CheckNowAsync();
        }

        PoolHealth health = monitor.GetHealth("shard_0");
        Assert.That((health.State, health.ConsecutiveFailures), Is.EqualTo((HealthState.Degraded, 0)));
        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Healthy));
    }

    [Test]
    public async Task Lease_ValidatedOnTheWayOut_IsMarked_SoTheMonitorDoesNotPingItTwice()
    {
        var clock = new ManualClock();
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions(), time: clock);
        using (PooledConnection first = await pool.AcquireAsync())
        {
            Assert.That(first.ValidatedOnAcquire, Is.False, "a new connection is not pinged");
        }

        clock.Advance(TimeSpan.FromSeconds(1)); // idle past the 500 ms threshold
        using (PooledConnection idle = await pool.AcquireAsync())
        {
            Assert.That(idle.ValidatedOnAcquire, Is.True);
        }

        using (PooledConnection recent = await pool.AcquireAsync())
        {
            Assert.That(recent.ValidatedOnAcquire, Is.False, "the mark belongs to the lease that was validated, not to later ones");
        }

        Assert.That(pool.Statistics.Validations, Is.EqualTo(1));
    }

    [Test]
    public async Task SlowPing_IsDegraded()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions());
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions { DegradedLatency = TimeSpan.FromTicks(1) });
        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Degraded));
    }

    [Test]
    public async Task ThrowingSubscriber_IsLogged_AndTheMonitorGoesOn()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions());
        var log = new ListLogger();
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions(), log);
        monitor.HealthChanged += _ => throw new InvalidOperationException("subscriber bug");
        await monitor.CheckNowAsync();
        Assert.That(monitor.GetHealth("shard_0").State, Is.EqualTo(HealthState.Healthy));
        Assert.That(log.Entries.Select(e => e.Id.Id), Does.Contain(2202));
    }

    [Test]
    public async Task Start_ChecksEveryInterval_DisposeEndsTheLoop()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("health"), new ConnectionPoolOptions());
        var monitor = new HealthMonitor([pool], new HealthMonitorOptions { Interval = TimeSpan.FromMilliseconds(20) });
        monitor.Start();
        while (monitor.GetHealth("shard_0").Checks < 3)
        {
            await Task.Delay(10);
        }

        await monitor.DisposeAsync(); // returns once the background loop has ended
        Assert.ThrowsAsync<ObjectDisposedException>(() => monitor.CheckNowAsync());
        Assert.Throws<ObjectDisposedException>(monitor.Start);
    }

    [Test]
    public void BadOptions_AndUnknownPool_AreClearErrors()
    {
        var e = Assert.Throws<ArgumentException>(() => _ = new HealthMonitor([], new HealthMonitorOptions { Interval = TimeSpan.Zero, DownAfterFailures = 0 }));
        Assert.That(e!.Message, Does.Contain("Interval").And.Contain("DownAfterFailures"));
        var monitor = new HealthMonitor([], new HealthMonitorOptions());
        Assert.That(Assert.Throws<KeyNotFoundException>(() => monitor.GetHealth("shard_9"))!.Message, Does.Contain("shard_9"));
    }

    /// <summary>A SQLite endpoint whose folder is blocked by a file (opening fails) until the file is deleted.</summary>
    internal static (DatabaseEndpoint Endpoint, string Blocker) BlockableSqlite()
    {
        string root = Path.Combine(TestContext.CurrentContext.WorkDirectory, "pool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        string blocker = Path.Combine(root, "db");
        File.WriteAllText(blocker, "a file where the database folder should be");
        Assert.That(DatabaseEndpoint.TryCreateSqlite(Path.Combine(blocker, "realm.db"), out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        return (endpoint!, blocker);
    }
}
