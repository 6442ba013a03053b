using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Data.Monitoring;

namespace Realm.Server.Tests.Data.Pooling;

[TestFixture]
[CancelAfter(20_000)]
public sealed class PoolRegistryTests
{
    [Test]
    public async Task Registry_StartsEveryPoolToItsMinimum_AndFindsThemByName()
    {
        await using var registry = new PoolRegistry(
        [
            new PoolDefinition("shard_0", PoolEndpoints.Sqlite("shard0"), new ConnectionPoolOptions { MinSize = 2 }),
            new PoolDefinition("shard_0_replica_1", PoolEndpoints.Sqlite("replica"), new ConnectionPoolOptions { MinSize = 1 }),
        ]);
        await registry.StartAsync();
        Assert.That(registry.Pools.Select(p => (p.Name, p.Statistics.Total)), Is.EqualTo(new[] { ("shard_0", 2), ("shard_0_replica_1", 1) }));
        Assert.That(registry.Get("shard_0_replica_1"), Is.SameAs(registry.Pools[1]));
        Assert.That(registry.Providers, Is.EqualTo(new[] { DatabaseProvider.Sqlite }));
        var e = Assert.Throws<KeyNotFoundException>(() => registry.Get("shard_1"));
        Assert.That(e!.Message, Does.Contain("shard_1").And.Contain("shard_0, shard_0_replica_1"));
    }

    [Test]
    public void Definitions_WithProblems_AreRefusedWithEveryProblemListed()
    {
        DatabaseEndpoint db = PoolEndpoints.Sqlite("bad");
        var e = Assert.Throws<ArgumentException>(() => _ = new PoolRegistry(
        [
            new PoolDefinition("shard_0", db, new ConnectionPoolOptions()),
            new PoolDefinition("shard_0", db, new ConnectionPoolOptions()),
            new PoolDefinition("shard 1", db, new ConnectionPoolOptions()),
            new PoolDefinition("shard_2", db, new ConnectionPoolOptions { MaxSize = 0 }),
        ]));
        Assert.That(e!.Message, Does.Contain("\"shard_0\" is defined twice").And.Contain("\"shard 1\" is not allowed").And.Contain("pool \"shard_2\": MaxSize"));
        Assert.That(Assert.Throws<ArgumentException>(() => _ = new PoolRegistry([]))!.Message, Does.Contain("no pools"));
    }

    [Test]
    public async Task Start_APoolThatCannotConnect_IsNamedInTheError()
    {
        (DatabaseEndpoint blocked, _) = HealthMonitorTests.BlockableSqlite();
        await using var registry = new PoolRegistry(
        [
            new PoolDefinition("shard_0", PoolEndpoints.Sqlite("ok"), new ConnectionPoolOptions { MinSize = 1 }),
            new PoolDefinition("shard_1", blocked, new ConnectionPoolOptions { MinSize = 1 }),
        ]);
        var e = Assert.ThrowsAsync<AggregateException>(() => registry.StartAsync());
        Assert.That(e!.InnerExceptions.Single().Message, Does.Contain("pool \"shard_1\"").And.Contain("did not start"));
    }

    [Test]
    public async Task Dispose_WaitsForLeasesUpToTheTimeout_ThenClosesEverything()
    {
        var clock = new ManualClock(); // stands still: the lease timeout cannot end the wait, only the lease coming back
        var registry = new PoolRegistry([new PoolDefinition("shard_0", PoolEndpoints.Sqlite("dispose"), new ConnectionPoolOptions())], time: clock);
        ConnectionPool pool = registry.Get("shard_0");
        PooledConnection lease = await pool.AcquireAsync();
        System.Data.Common.DbConnection connection = lease.Connection;
        Task disposing = registry.DisposeAsync(TimeSpan.FromSeconds(10));
        Assert.That(disposing.IsCompleted, Is.False, "waits for the lease");
        Assert.That(connection.State, Is.EqualTo(System.Data.ConnectionState.Open), "a leased connection is not closed under its user");
        lease.Dispose();
        await disposing;
        Assert.That(connection.State, Is.EqualTo(System.Data.ConnectionState.Closed));
        Assert.That(pool.Statistics.Total, Is.Zero);
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await pool.AcquireAsync());
    }
}
