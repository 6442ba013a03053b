using System.Data.Common;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Schema;
using Realm.Server.Tests.Data.Pooling;

namespace Realm.Server.Tests.Data.Queries;

/// <summary>Schema and named queries on both dialects: SQLite, and the real MariaDB from <c>./run.sh test</c>.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.MySql)]
[Category("Integration")]
[CancelAfter(60_000)]
public sealed class QueryExecutionTests
{
    private readonly DatabaseProvider _provider;
    private ConnectionPool _pool = null!;
    private QueryCatalog _catalog = null!;

    public QueryExecutionTests(DatabaseProvider provider) => _provider = provider;

    [SetUp]
    public async Task SetUp()
    {
        _pool = new ConnectionPool("shard_0", PoolEndpoints.For(_provider, "queries"), new ConnectionPoolOptions { MaxSize = 4 });
        await DataSchema.ApplyAsync(_pool);
        _catalog = new QueryCatalog();
        DataQueries.AddTo(_catalog);
        _catalog.Validate(_provider);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_pool is not null)
        {
            await _pool.DisposeAsync();
        }
    }

    [Test]
    public async Task Schema_AppliedTwice_SecondRunDoesNothing_AndEveryQueryPrepares()
    {
        Assert.That(await DataSchema.ApplyAsync(_pool), Is.Zero);
        await _catalog.PrepareAllAsync(_pool);
        using PooledConnection lease = await _pool.AcquireAsync();
        await using DbCommand command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT MAX(version) FROM realm_schema";
        Assert.That(Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(DataSchema.Version));
    }

    [Test]
    public async Task PrepareAll_SqlTheDatabaseRejects_NamesTheQuery()
    {
        var catalog = new QueryCatalog();
        catalog.Add("good", "SELECT 1", "SELECT 1");
        catalog.Add("typo", "SELECT nme FROM players WHERE player_id = @id", "SELECT nme FROM players WHERE player_id = @id", "@id");
        var e = Assert.ThrowsAsync<QueryCatalogException>(() => catalog.PrepareAllAsync(_pool));
        Assert.That(e!.Message, Does.Contain("query \"typo\" does not prepare on pool \"shard_0\"").And.Contain("nme"));
    }

    [Test]
    public async Task InsertLoadSave_ByName_StaleFenceIsRejected_AndStatisticsCount()
    {
        long id = Random.Shared.NextInt64(1, long.MaxValue);
        NamedQuery insert = _catalog.Get(DataQueries.PlayerInsert), load = _catalog.Get(DataQueries.PlayerLoad), save = _catalog.Get(DataQueries.PlayerSave);
        using (PooledConnection lease = await _pool.AcquireAsync())
        {
            Assert.That(await lease.Command(insert).Set("@id", id).Set("name", "Ayla").Set(2, 1000L).ExecuteNonQueryAsync(), Is.EqualTo(1));
            Assert.That(await Save(lease, save, id, gold: 50, fence: 7), Is.EqualTo(1), "token 7 is newer than 0: accepted");
            Assert.That(await Save(lease, save, id, gold: 99, fence: 6), Is.Zero, "token 6 is older than 7: stale owner, rejected");
            Assert.That(await Save(lease, save, id, gold: 60, fence: 7), Is.EqualTo(1), "the same owner saves again");

            await using DbDataReader reader = await lease.Command(load).Set(0, id).ExecuteReaderAsync();
            Assert.That(await reader.ReadAsync(), Is.True);
            Assert.That((reader.GetString(1), reader.GetInt64(5), reader.GetInt64(6)), Is.EqualTo(("Ayla", 60L, 7L)));
        }

        Assert.That((insert.Statistics.Count, save.Statistics.Count, load.Statistics.Count, save.Statistics.Errors), Is.EqualTo((1L, 3L, 1L, 0L)));
        var latency = new LatencyHistogram();
        save.Statistics.Latency.CopyTo(latency);
        Assert.That(latency.Count, Is.EqualTo(3));
        Assert.That(latency.MaxMilliseconds, Is.GreaterThan(0).And.LessThan(5_000));
    }

    [Test]
    public async Task Command_IsPreparedOncePerConnection_AndReusedByLaterLeases()
    {
        NamedQuery load = _catalog.Get(DataQueries.PlayerLoad);
        DbCommand first;
        long preparedBefore = 0;
        using (PooledConnection lease = await _pool.AcquireAsync())
        {
            preparedBefore = await StatementsPreparedAsync(lease.Connection);
            first = lease.Command(load).DbCommand;
            await lease.Command(load).Set(0, 1L).ExecuteScalarAsync();
        }

        using (PooledConnection lease = await _pool.AcquireAsync())
        {
            Assert.That(lease.Command(load).DbCommand, Is.SameAs(first), "same connection, same prepared command");
            for (int i = 0; i < 5; i++)
            {
                await lease.Command(load).Set(0, (long)i).ExecuteScalarAsync();
            }

            if (_provider == DatabaseProvider.MySql)
            {
                long prepared = await StatementsPreparedAsync(lease.Connection) - preparedBefore;
                Assert.That(prepared, Is.Zero, "MySQL runs the reused command over the text protocol (see PooledConnection.Command)");
            }
        }

        Assert.That(load.Statistics.Count, Is.EqualTo(6));
    }

    [Test]
    public async Task FailedStatement_IsCountedAsError_ConnectionStaysWhenOnlyTheStatementFailed()
    {
        long id = Random.Shared.NextInt64(1, long.MaxValue);
        NamedQuery insert = _catalog.Get(DataQueries.PlayerInsert);
        using (PooledConnection lease = await _pool.AcquireAsync())
        {
            await lease.Command(insert).Set(0, id).Set(1, "A").Set(2, 1L).ExecuteNonQueryAsync();
            Assert.ThrowsAsync(Is.InstanceOf<DbException>(), () => lease.Command(insert).Set(0, id).Set(1, "B").Set(2, 2L).ExecuteNonQueryAsync());
        }

        Assert.That((insert.Statistics.Count, insert.Statistics.Errors), Is.EqualTo((2L, 1L)));
        Assert.That(_pool.Statistics.Evictions, Is.Zero, "a duplicate key leaves the connection usable");
    }

    private static Task<int> Save(PooledConnection lease, NamedQuery save, long id, long gold, long fence) =>
        lease.Command(save).Set("@id", id).Set("@zone", 1).Set("@x", 10).Set("@y", 20).Set("@gold", gold).Set("@fence", fence).Set("@now", 2000L).ExecuteNonQueryAsync();

    private async Task<long> StatementsPreparedAsync(DbConnection connection)
    {
        if (_provider != DatabaseProvider.MySql)
        {
            return 0;
        }

        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(VARIABLE_VALUE AS SIGNED) FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'COM_STMT_PREPARE'";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
