using System.Data.Common;
using System.Globalization;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Tests.Data.Pooling;
using Realm.Server.Tests.Integration;

namespace Realm.Server.Tests.Data.Routing;

/// <summary>
/// Databases of their own for a routing test: on MariaDB, <c>realm_*</c> databases created on the test
/// primary (and so, through replication, on the replica) and dropped afterwards; on SQLite, fresh files.
/// </summary>
internal sealed class ShardDatabases : IAsyncDisposable
{
    private readonly List<string> _databases = [];
    private readonly List<ConnectionPool> _pools = [];
    private readonly DatabaseProvider _provider;

    public ShardDatabases(DatabaseProvider provider) => _provider = provider;

    /// <summary>The pools created so far, in order.</summary>
    public IReadOnlyList<ConnectionPool> Pools => _pools;

    /// <summary>A pool named <paramref name="name"/> on a new, empty database.</summary>
    public async Task<ConnectionPool> CreateAsync(string name, int maxSize = 8)
    {
        DatabaseEndpoint endpoint;
        if (_provider == DatabaseProvider.Sqlite)
        {
            endpoint = PoolEndpoints.Sqlite(name);
        }
        else
        {
            string database = $"realm_{name}_{Guid.NewGuid():N}"[..40];
            await RunOnPrimaryAsync($"CREATE DATABASE {database}");
            _databases.Add(database);
            endpoint = MySql(TestServices.RequireMySql(), database);
        }

        var pool = new ConnectionPool(name, endpoint, new ConnectionPoolOptions { MaxSize = maxSize });
        _pools.Add(pool);
        return pool;
    }

    /// <summary>A pool on the replica's copy of <paramref name="primary"/>'s database (MariaDB only).</summary>
    public ConnectionPool Replica(ConnectionPool primary, string name, ConnectionPoolOptions? options = null)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = primary.Endpoint.ConnectionString };
        var pool = new ConnectionPool(name, MySql(TestServices.RequireMySqlReplica(), (string)builder["Database"]), options ?? new ConnectionPoolOptions { MaxSize = 8 });
        _pools.Add(pool);
        return pool;
    }

    /// <summary>Waits until the replica has applied everything the primary has written so far.</summary>
    public static async Task ReplicaCaughtUpAsync()
    {
        string position = (string)(await ScalarAsync(TestServices.RequireMySql(), "SELECT CONVERT(@@gtid_binlog_pos USING utf8mb4)"))!;
        object? waited = await ScalarAsync(TestServices.RequireMySqlReplica(), $"SELECT MASTER_GTID_WAIT('{position}', 30)");
        Assert.That(Convert.ToInt64(waited, CultureInfo.InvariantCulture), Is.Zero, $"the replica did not apply {position} within 30 s");
    }

    /// <summary>The first column of the first row of <paramref name="sql"/> on a connection of <paramref name="pool"/>, as a number.</summary>
    public static async Task<long> ScalarOnAsync(ConnectionPool pool, string sql)
    {
        PooledConnection lease = await pool.AcquireAsync();
        await using (lease)
        {
            return Convert.ToInt64(await lease.Connection.ScalarAsync(sql, CancellationToken.None), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Runs one statement as the test user on the primary's test database.</summary>
    public static Task<object?> RunOnPrimaryAsync(string sql) => ScalarAsync(TestServices.RequireMySql(), sql);

    /// <summary>Runs one statement as the test user on the replica's test database.</summary>
    public static Task<object?> RunOnReplicaAsync(string sql) => ScalarAsync(TestServices.RequireMySqlReplica(), sql);

    public async ValueTask DisposeAsync()
    {
        foreach (ConnectionPool pool in _pools)
        {
            await pool.DisposeAsync();
        }

        foreach (string database in _databases)
        {
            await RunOnPrimaryAsync($"DROP DATABASE IF EXISTS {database}");
        }
    }

    private static DatabaseEndpoint MySql(string connectionString, string database)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        builder["Database"] = database;
        Assert.That(DatabaseEndpoint.TryCreateMySql(builder.ConnectionString, out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        return endpoint!;
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        Assert.That(DatabaseEndpoint.TryCreateMySql(connectionString, out DatabaseEndpoint? endpoint, out string? error), Is.True, error);
        await using DbConnection connection = await endpoint!.OpenAsync(CancellationToken.None);
        // START/STOP SLAVE on a replica already in that state raises a note, and MySql.Data 8.0.16 cannot read
        // SHOW WARNINGS on MariaDB 10.6+ (utf8mb3 columns): notes are off for these housekeeping statements.
        await connection.ScalarAsync("SET SESSION sql_notes = 0", CancellationToken.None);
        return await connection.ScalarAsync(sql, CancellationToken.None);
    }
}
