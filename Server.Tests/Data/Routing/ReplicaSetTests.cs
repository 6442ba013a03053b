using System.Globalization;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Routing;
using Realm.Server.Tests.Data.Locking;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Data.Routing;

/// <summary>
/// A shard's primary and its replica: the real GTID replica that <c>./run.sh test</c> starts. Lag is made
/// by pausing the replica's applier (<c>STOP SLAVE SQL_THREAD</c>), outages by killing the replica.
/// </summary>
[TestFixture]
[Category("Integration")]
[CancelAfter(120_000)]
public sealed class ReplicaSetTests
{
    private ShardDatabases _databases = null!;

    [SetUp]
    public void SetUp() => _databases = new ShardDatabases(DatabaseProvider.MySql);

    [TearDown]
    public async Task TearDown()
    {
        await ShardDatabases.RunOnReplicaAsync("START SLAVE SQL_THREAD"); // whatever a failed test left paused
        await _databases.DisposeAsync();
    }

    [Test]
    public async Task Replica_IsReadOnly_AndAppliesThePrimarysWrites()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_basic");
        await ExecuteAsync(primary, "CREATE TABLE t (id INT PRIMARY KEY, v INT NOT NULL)");
        await ExecuteAsync(primary, "INSERT INTO t VALUES (1, 42)");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool replica = _databases.Replica(primary, "rs_basic_r");
        Assert.That(await ScalarAsync(replica, "SELECT v FROM t WHERE id = 1"), Is.EqualTo(42));
        Assert.That(await ScalarAsync(replica, "SELECT @@server_id"), Is.Not.EqualTo(await ScalarAsync(primary, "SELECT @@server_id")));
        Assert.That(async () => await ExecuteAsync(replica, "INSERT INTO t VALUES (2, 1)"), Throws.InstanceOf<System.Data.Common.DbException>().With.Message.Contains("read-only"));
    }

    [Test]
    public async Task Reads_GoRoundRobinToReplicas_WritesStayOnThePrimary()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_rr");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool replica = _databases.Replica(primary, "rs_rr_r");
        await using var set = new ReplicaSet(primary, [replica]);
        await set.CheckLagAsync();
        long primaryId = await ScalarAsync(primary, "SELECT @@server_id");
        for (int i = 0; i < 20; i++)
        {
            await using ReplicaLease lease = await set.AcquireReadAsync();
            Assert.That(lease.FromReplica, Is.True);
            Assert.That(lease.Pool, Is.SameAs(replica));
            Assert.That(Convert.ToInt64(await lease.Connection.Connection.ScalarAsync("SELECT @@server_id", CancellationToken.None), CultureInfo.InvariantCulture), Is.Not.EqualTo(primaryId));
        }

        Assert.That(set.Statistics.ReplicaReads, Is.EqualTo(20));
        Assert.That(set.Statistics.PrimaryReads, Is.Zero);
    }

    [Test]
    public async Task TwoReplicas_ReadsAlternateBetweenThem()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_two");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool first = _databases.Replica(primary, "rs_two_r1");
        ConnectionPool second = _databases.Replica(primary, "rs_two_r2"); // a second pool on the replica server
        await using var set = new ReplicaSet(primary, [first, second]);
        await set.CheckLagAsync();
        var served = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            await using ReplicaLease lease = await set.AcquireReadAsync();
            served.Add(lease.Pool.Name);
        }

        Assert.That(served.Count(n => n == "rs_two_r1"), Is.EqualTo(10));
        Assert.That(served.Count(n => n == "rs_two_r2"), Is.EqualTo(10));
        Assert.That(served.Zip(served.Skip(1)).All(pair => pair.First != pair.Second), Is.True, "round-robin: never the same replica twice in a row");
    }

    [Test]
    public async Task NoReplicaInService_ReadsGoToThePrimary()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_none");
        await using var alone = new ReplicaSet(primary);
        await using (ReplicaLease lease = await alone.AcquireReadAsync())
        {
            Assert.That(lease.FromReplica, Is.False);
            Assert.That(lease.Pool, Is.SameAs(primary));
        }

        // A replica that has not been checked yet is not trusted either.
        await ShardDatabases.ReplicaCaughtUpAsync();
        await using var fresh = new ReplicaSet(primary, [_databases.Replica(primary, "rs_none_r")]);
        await using ReplicaLease first = await fresh.AcquireReadAsync();
        Assert.That(first.FromReplica, Is.False);
        Assert.That(fresh.Status[0].Reason, Does.Contain("not checked"));
    }

    [Test]
    public async Task LaggingReplica_IsTakenOut_AndPutBackWhenItCatchesUp()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_lag");
        await ExecuteAsync(primary, "CREATE TABLE t (id INT PRIMARY KEY)");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool replica = _databases.Replica(primary, "rs_lag_r");
        await using var set = new ReplicaSet(primary, [replica], new ReplicaSetOptions { MaxLagTransactions = 3 });
        await set.CheckLagAsync();
        Assert.That(set.Status[0].InService, Is.True, set.Status[0].Reason);

        await ShardDatabases.RunOnReplicaAsync("STOP SLAVE SQL_THREAD");
        for (int i = 0; i < 10; i++)
        {
            await ExecuteAsync(primary, $"INSERT INTO t VALUES ({i})");
        }

        await set.CheckLagAsync();
        ReplicaStatus lagging = set.Status[0];
        Assert.Multiple(() =>
        {
            Assert.That(lagging.InService, Is.False);
            Assert.That(lagging.LagTransactions, Is.GreaterThanOrEqualTo(10));
            Assert.That(lagging.Reason, Does.Contain("behind the primary"));
        });
        await using (ReplicaLease lease = await set.AcquireReadAsync())
        {
            Assert.That(lease.FromReplica, Is.False, "a replica too far behind serves no reads");
        }

        await ShardDatabases.RunOnReplicaAsync("START SLAVE SQL_THREAD");
        await ShardDatabases.ReplicaCaughtUpAsync();
        await set.CheckLagAsync();
        Assert.That(set.Status[0].InService, Is.True, set.Status[0].Reason);
        await using (ReplicaLease lease = await set.AcquireReadAsync())
        {
            Assert.That(lease.FromReplica, Is.True);
        }

        Assert.That(set.Statistics.TakenOut, Is.EqualTo(1));
        Assert.That(set.Statistics.PutBack, Is.EqualTo(2), "in after the first check, and again after catching up");
    }

    [Test]
    [NonParallelizable]
    public async Task StoppedReplica_IsTakenOut_AndReturnsAfterRestart()
    {
        string control = TestServices.RequireMySqlReplicaControl();
        ConnectionPool primary = await _databases.CreateAsync("rs_stop");
        await ExecuteAsync(primary, "CREATE TABLE t (id INT PRIMARY KEY)");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool replica = _databases.Replica(primary, "rs_stop_r", new ConnectionPoolOptions
        {
            MaxSize = 4,
            AcquireTimeout = TimeSpan.FromSeconds(1),
            BreakerFailureThreshold = 2,
            BreakerCooldown = TimeSpan.FromMilliseconds(200),
        });
        await using var monitor = new HealthMonitor([replica], new HealthMonitorOptions { Interval = TimeSpan.FromMilliseconds(100), PingTimeout = TimeSpan.FromMilliseconds(500), DownAfterFailures = 2 });
        await using var set = new ReplicaSet(primary, [replica], health: monitor);
        await monitor.CheckNowAsync();
        await set.CheckLagAsync();
        Assert.That(set.Status[0].InService, Is.True, set.Status[0].Reason);

        await TestServices.RunControlAsync(control, "kill");
        try
        {
            monitor.Start();
            await LockTestSupport.WaitUntilAsync(() => monitor.GetHealth(replica.Name).State == HealthState.Down, TimeSpan.FromSeconds(20), "the monitor reports the killed replica Down");
            Assert.That(set.Status[0].InService, Is.False, "Down takes it out at once, before any lag check");
            await using (ReplicaLease lease = await set.AcquireReadAsync())
            {
                Assert.That(lease.FromReplica, Is.False);
            }

            await ExecuteAsync(primary, "INSERT INTO t VALUES (1)"); // written while the replica is away
        }
        finally
        {
            await TestServices.RunControlAsync(control, "start");
        }

        await LockTestSupport.WaitUntilAsync(() => monitor.GetHealth(replica.Name).State == HealthState.Healthy, TimeSpan.FromSeconds(30), "the monitor reports the restarted replica Healthy");
        await ShardDatabases.ReplicaCaughtUpAsync(); // the restarted replica resumes replication by itself
        await set.CheckLagAsync();
        Assert.That(set.Status[0].InService, Is.True, set.Status[0].Reason);
        await using ReplicaLease back = await set.AcquireReadAsync();
        Assert.That(back.FromReplica, Is.True);
        Assert.That(Convert.ToInt64(await back.Connection.Connection.ScalarAsync("SELECT COUNT(*) FROM t", CancellationToken.None), CultureInfo.InvariantCulture), Is.EqualTo(1), "what was written while it was away");
    }

    /// <summary>
    /// Random writes and reads of one row, with the replica's applier paused and resumed at random: every
    /// read through the set after the caller's own write sees that write. The same read straight from the
    /// replica while it is paused does see stale data, so the check can fail.
    /// </summary>
    [Test]
    public async Task ReadYourWrites_NoStaleReadAfterOwnWrite_OverRandomizedOperations()
    {
        ConnectionPool primary = await _databases.CreateAsync("rs_ryw");
        await ExecuteAsync(primary, "CREATE TABLE t (id INT PRIMARY KEY, v BIGINT NOT NULL)");
        await ExecuteAsync(primary, "INSERT INTO t VALUES (1, 0)");
        await ShardDatabases.ReplicaCaughtUpAsync();
        ConnectionPool replica = _databases.Replica(primary, "rs_ryw_r");
        await using var set = new ReplicaSet(primary, [replica], new ReplicaSetOptions { ReadYourWritesWait = TimeSpan.FromMilliseconds(100), MaxLagTransactions = 1_000_000 });
        await set.CheckLagAsync();

        var random = new Random(20261202);
        GtidPosition written = GtidPosition.Empty;
        long expected = 0;
        bool paused = false;
        int staleDirect = 0;
        for (int op = 0; op < 300; op++)
        {
            int dice = op == 0 ? 1 : random.Next(10); // a write first: every read below passes a position
            if (dice == 0)
            {
                await ShardDatabases.RunOnReplicaAsync(paused ? "START SLAVE SQL_THREAD" : "STOP SLAVE SQL_THREAD");
                paused = !paused;
            }
            else if (dice <= 4)
            {
                expected++;
                PooledConnection lease = await primary.AcquireAsync();
                await using (lease)
                {
                    await lease.Connection.ScalarAsync($"UPDATE t SET v = {expected} WHERE id = 1", CancellationToken.None);
                    written = written.Merge(await set.WrittenAsync(lease));
                }

                if (paused)
                {
                    staleDirect += await ScalarAsync(replica, "SELECT v FROM t WHERE id = 1") != expected ? 1 : 0;
                }
            }
            else
            {
                await using ReplicaLease lease = await set.AcquireReadAsync(written);
                long seen = Convert.ToInt64(await lease.Connection.Connection.ScalarAsync("SELECT v FROM t WHERE id = 1", CancellationToken.None), CultureInfo.InvariantCulture);
                Assert.That(seen, Is.EqualTo(expected), $"operation {op}: a stale read after an own write (from the {(lease.FromReplica ? "replica" : "primary")}, applier {(paused ? "paused" : "running")})");
            }
        }

        ReplicaSetStatistics stats = set.Statistics;
        TestContext.Out.WriteLine($"{stats}; stale direct reads while paused: {staleDirect}");
        Assert.Multiple(() =>
        {
            Assert.That(written.IsEmpty, Is.False, "@@last_gtid gave the writes' positions");
            Assert.That(staleDirect, Is.GreaterThan(0), "reading the paused replica directly is stale: the test can see staleness");
            Assert.That(stats.ReplicaReads, Is.GreaterThan(0), "some reads were served by the replica");
            Assert.That(stats.Fallbacks, Is.GreaterThan(0), "some reads waited in vain and went to the primary");
            Assert.That(stats.GtidWaits + stats.GtidWaitsSkipped, Is.EqualTo(stats.ReplicaReads + stats.Fallbacks));
        });
    }

    private static async Task ExecuteAsync(ConnectionPool pool, string sql)
    {
        PooledConnection lease = await pool.AcquireAsync();
        await using (lease)
        {
            await lease.Connection.ScalarAsync(sql, CancellationToken.None);
        }
    }

    private static Task<long> ScalarAsync(ConnectionPool pool, string sql) => ShardDatabases.ScalarOnAsync(pool, sql);
}
