using Microsoft.Extensions.Logging;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Schema;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Hosting;

/// <summary>
/// The server's data tier, started from the <c>Pools</c> options: the pool registry, the schema on every
/// pool, the query catalog (validated for every dialect in use and checked against every pool), the
/// health monitor and the <c>Realm.Data</c> meter. Everything that is misconfigured fails here, at start.
/// </summary>
internal sealed class DataTier : IAsyncDisposable
{
    private int _disposed;

    private DataTier(PoolRegistry registry, QueryCatalog queries, HealthMonitor monitor, DataMetrics metrics)
    {
        Registry = registry;
        Queries = queries;
        Monitor = monitor;
        Metrics = metrics;
    }

    public PoolRegistry Registry { get; }

    public QueryCatalog Queries { get; }

    public HealthMonitor Monitor { get; }

    public DataMetrics Metrics { get; }

    /// <summary>The server's own database pool.</summary>
    public ConnectionPool Main => Registry.Get(PoolsOptions.MainPool);

    public static async Task<DataTier> StartAsync(PoolsOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var registry = new PoolRegistry(options.Definitions, loggerFactory);
        try
        {
            await registry.StartAsync(cancellationToken);
            foreach (ConnectionPool pool in registry.Pools)
            {
                if (pool.Endpoint.Provider == DatabaseProvider.Sqlite)
                {
                    await ExecuteAsync(pool, "PRAGMA journal_mode=WAL", cancellationToken); // readers do not block the writer
                }

                await DataSchema.ApplyAsync(pool, cancellationToken);
            }

            var queries = new QueryCatalog();
            DataQueries.AddTo(queries);
            queries.Validate(registry.Providers);
            foreach (ConnectionPool pool in registry.Pools)
            {
                await queries.PrepareAllAsync(pool, cancellationToken);
            }

            var monitor = new HealthMonitor(registry.Pools, options.Health, loggerFactory.CreateLogger("Realm.Data.Health"));
            monitor.Start();
            return new DataTier(registry, queries, monitor, new DataMetrics(registry.Pools, queries, monitor));
        }
        catch
        {
            await registry.DisposeAsync(TimeSpan.FromSeconds(1));
            throw;
        }
    }

    /// <summary>The main database's engine version and endpoint, for the start-up log.</summary>
    public async Task<(string Version, DatabaseEndpoint Endpoint)> DescribeMainAsync(CancellationToken cancellationToken)
    {
        ConnectionPool main = Main;
        PooledConnection lease = await main.AcquireAsync(cancellationToken);
        await using (lease)
        {
            return (await main.Endpoint.QueryServerVersionAsync(lease.Connection, cancellationToken), main.Endpoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Metrics.Dispose();
        await Monitor.DisposeAsync();
        await Registry.DisposeAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task ExecuteAsync(ConnectionPool pool, string sql, CancellationToken cancellationToken)
    {
        PooledConnection lease = await pool.AcquireAsync(cancellationToken);
        await using (lease)
        {
            await lease.Connection.ScalarAsync(sql, cancellationToken);
        }
    }
}
