using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Queries;
using Realm.Server.Tests.Data.Pooling;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Data.Monitoring;

[TestFixture]
[CancelAfter(20_000)]
public sealed class DataMetricsTests
{
    [Test]
    public async Task Collect_PublishesPoolQueryAndHealthState_UnderTheRealmDataMeter()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("metrics"), new ConnectionPoolOptions { MaxSize = 4 });
        var catalog = new QueryCatalog();
        NamedQuery one = catalog.Add("probe.one", "SELECT 1", "SELECT 1");
        await using var monitor = new HealthMonitor([pool], new HealthMonitorOptions());
        using var metrics = new DataMetrics([pool], catalog, monitor);

        using (PooledConnection lease = await pool.AcquireAsync())
        {
            for (int i = 0; i < 3; i++)
            {
                await lease.Command(one).ExecuteScalarAsync();
            }
        }

        using PooledConnection held = await pool.AcquireAsync();
        await monitor.CheckNowAsync(); // leases a second connection for its ping

        Dictionary<string, double> seen = MeterCapture.Collect(m => ReferenceEquals(m, metrics.Meter));
        Assert.That(metrics.Meter.Name, Is.EqualTo("Realm.Data"));
        Assert.That(seen["realm.data.pool.connections|pool=shard_0,state=leased"], Is.EqualTo(1));
        Assert.That(seen["realm.data.pool.connections|pool=shard_0,state=idle"], Is.EqualTo(1));
        Assert.That(seen["realm.data.pool.acquisitions|pool=shard_0"], Is.EqualTo(3));
        Assert.That(seen["realm.data.pool.creations|pool=shard_0"], Is.EqualTo(2));
        Assert.That(seen["realm.data.pool.waiters|pool=shard_0"], Is.Zero);
        Assert.That(seen["realm.data.pool.breaker|pool=shard_0"], Is.EqualTo((int)CircuitState.Closed));
        Assert.That(seen["realm.data.pool.health|pool=shard_0"], Is.EqualTo((int)HealthState.Healthy));
        Assert.That(seen["realm.data.pool.acquire_wait|pool=shard_0,quantile=max"], Is.GreaterThan(0), "the first acquisitions opened connections");
        Assert.That(seen["realm.data.query.executions|query=probe.one"], Is.EqualTo(3));
        Assert.That(seen["realm.data.query.errors|query=probe.one"], Is.Zero);
        double p50 = seen["realm.data.query.latency|query=probe.one,quantile=p50"], max = seen["realm.data.query.latency|query=probe.one,quantile=max"];
        Assert.That(p50, Is.GreaterThan(0).And.LessThanOrEqualTo(max));
    }

    [Test]
    public async Task AcquireWait_FastPathLeasesCountAsZeroWait()
    {
        await using var pool = new ConnectionPool("shard_0", PoolEndpoints.Sqlite("metrics"), new ConnectionPoolOptions());
        for (int i = 0; i < 10; i++)
        {
            using PooledConnection lease = await pool.AcquireAsync();
        }

        var histogram = new LatencyHistogram();
        pool.CopyAcquireWaitTo(histogram);
        Assert.That(histogram.Count, Is.EqualTo(10));
        Assert.That(histogram.PercentileMilliseconds(50), Is.Zero, "nine of ten leases took the fast path");
        Assert.That(histogram.MaxMilliseconds, Is.GreaterThan(0), "the first opened the connection");
    }
}
