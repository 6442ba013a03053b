using System.Data.Common;
using BenchmarkDotNet.Attributes;
using MySql.Data.MySqlClient;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Server.Benchmarks.Data.Pooling;

/// <summary>
/// Question: what does getting a usable MySQL connection cost through Realm's pool versus MySql.Data
/// 8.0.16's own pooled <c>Open</c> (which pings the server on every checkout)? Both against the same
/// MariaDB on loopback, with and without one <c>SELECT 1</c>. Needs <c>REALM_BENCH_MYSQL</c> (a connection
/// string; see docs/BENCHMARKS.md for starting a server).
/// </summary>
[MemoryDiagnoser]
public class MySqlCheckoutBenchmarks
{
    private string _driverPooled = null!;
    private ConnectionPool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        string connectionString = Environment.GetEnvironmentVariable("REALM_BENCH_MYSQL")
            ?? throw new InvalidOperationException("set REALM_BENCH_MYSQL to a MariaDB/MySQL connection string (docs/BENCHMARKS.md)");
        if (!DatabaseEndpoint.TryCreateMySql(connectionString, out DatabaseEndpoint? endpoint, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _driverPooled = new MySqlConnectionStringBuilder(connectionString) { Pooling = true, MinimumPoolSize = 1, MaximumPoolSize = 4 }.ConnectionString;
        using (var warm = new MySqlConnection(_driverPooled))
        {
            warm.Open(); // fills the driver's pool
        }

        _pool = new ConnectionPool("bench", endpoint!, new ConnectionPoolOptions { MinSize = 1, MaxSize = 4, LeakDetectionThreshold = null });
        _pool.StartAsync().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        MySqlConnection.ClearAllPools();
    }

    [Benchmark(Baseline = true)]
    public async Task<bool> DriverPooledOpen()
    {
        await using var connection = new MySqlConnection(_driverPooled);
        await connection.OpenAsync();
        return connection.State == System.Data.ConnectionState.Open;
    }

    [Benchmark]
    public async Task<bool> RealmAcquire()
    {
        using PooledConnection lease = await _pool.AcquireAsync();
        return lease.Connection.State == System.Data.ConnectionState.Open;
    }

    [Benchmark]
    public async Task<object?> DriverPooledOpen_Select1()
    {
        await using var connection = new MySqlConnection(_driverPooled);
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return await command.ExecuteScalarAsync();
    }

    [Benchmark]
    public async Task<object?> RealmAcquire_Select1()
    {
        using PooledConnection lease = await _pool.AcquireAsync();
        await using DbCommand command = lease.Connection.CreateCommand();
        command.CommandText = "SELECT 1";
        return await command.ExecuteScalarAsync();
    }
}
