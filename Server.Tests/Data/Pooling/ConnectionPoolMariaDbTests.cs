using System.Data.Common;
using System.Globalization;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Data.Pooling;

/// <summary>Pool behaviour that needs the real MariaDB server started by <c>./run.sh test</c>.</summary>
[TestFixture]
[Category("Integration")]
[CancelAfter(60_000)]
public sealed class ConnectionPoolMariaDbTests
{
    private DatabaseEndpoint _endpoint = null!;

    [SetUp]
    public void SetUp()
    {
        Assert.That(DatabaseEndpoint.TryCreateMySql(TestServices.RequireMySql(), out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        _endpoint = endpoint!;
    }

    [Test]
    public async Task Start_WarmsTheMinimum_ReadsWaitTimeout_AndWarnsWhenTheLifetimeIsLonger()
    {
        await using var pool = new ConnectionPool("shard_0", _endpoint, new ConnectionPoolOptions { MinSize = 3, MaxSize = 4 });
        await pool.StartAsync();
        Assert.That(pool.Statistics.Total, Is.EqualTo(3));
        Assert.That(pool.WaitTimeoutSeconds, Is.GreaterThan(0));

        var log = new ListLogger();
        await using var tooLong = new ConnectionPool("shard_1", _endpoint, new ConnectionPoolOptions { MaxLifetime = TimeSpan.FromSeconds(pool.WaitTimeoutSeconds + 60) }, log);
        await tooLong.StartAsync();
        Assert.That(log.Entries.Single(e => e.Id.Id == 2102).Message, Does.Contain("wait_timeout").And.Contain(pool.WaitTimeoutSeconds.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    public async Task ConnectionKilledOnTheServer_IsFoundByValidationAfterIdle_AndReplaced()
    {
        var clock = new ManualClock();
        await using var pool = new ConnectionPool("shard_0", _endpoint, new ConnectionPoolOptions { MaxSize = 2 }, time: clock);
        long victim;
        using (PooledConnection lease = await pool.AcquireAsync())
        {
            victim = await ScalarAsync(lease.Connection, "SELECT CONNECTION_ID()");
        }

        await using (DbConnection admin = await _endpoint.OpenAsync(CancellationToken.None))
        {
            await ScalarAsync(admin, $"KILL {victim}");
        }

        clock.Advance(TimeSpan.FromSeconds(1)); // idle past the 500 ms threshold: checked before reuse
        using (PooledConnection lease = await pool.AcquireAsync())
        {
            long replacement = await ScalarAsync(lease.Connection, "SELECT CONNECTION_ID()");
            Assert.That(replacement, Is.Not.EqualTo(victim));
        }

        PoolStatistics s = pool.Statistics;
        Assert.That((s.Validations, s.Evictions, s.Creations, s.Total), Is.EqualTo((1L, 1L, 2L, 1)));
    }

    [Test]
    public async Task Exhausted_OnMariaDb_WaitersGetTheReturnedConnection_AndQueriesRun()
    {
        await using var pool = new ConnectionPool("shard_0", _endpoint, new ConnectionPoolOptions { MaxSize = 2, AcquireTimeout = TimeSpan.FromSeconds(20) });
        long sum = 0;
        await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(async () =>
        {
            using PooledConnection lease = await pool.AcquireAsync();
            Interlocked.Add(ref sum, await ScalarAsync(lease.Connection, $"SELECT {i}"));
        })));
        Assert.That(sum, Is.EqualTo(210));
        PoolStatistics s = pool.Statistics;
        Assert.That((s.Total, s.Leased, s.Waiters, s.Timeouts), Is.EqualTo((2, 0, 0, 0L)));
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        object? value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }
}
