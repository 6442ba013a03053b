using Microsoft.Extensions.Logging;
using Realm.Data.Monitoring;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Schema;
using Realm.Data.Sharding;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Hosting;

/// <summary>
/// The server's data tier, started from the <c>Pools</c> and <c>Shards</c> options: the pool registry, the
/// schema on every pool (replicas get theirs through replication), the query catalog (validated for every
/// dialect in use and checked against every pool), the health monitor, the <c>Realm.Data</c> meter, and
/// where players are kept: the <c>main</c> pool, or the shards with their replica sets. Everything that is
/// misconfigured fails here, at start.
/// </summary>
internal sealed class DataTier : IAsyncDisposable
{
    private int _disposed;

    private DataTier(PoolRegistry registry, QueryCatalog queries, HealthMonitor monitor, DataMetrics metrics, IReadOnlyList<ReplicaSet> sets, IPlayerStore players)
    {
        Registry = registry;
        Queries = queries;
        Monitor = monitor;
        Metrics = metrics;
        ReplicaSets = sets;
        Players = players;
    }

    /// <summary>Where players are kept: a <see cref="PlayerStore"/> on <c>main</c>, or a <see cref="PlayerRepository"/> over the shards.</summary>
    public IPlayerStore Players { get; }

    /// <summary>One per shard when sharded; empty otherwise.</summary>
    public IReadOnlyList<ReplicaSet> ReplicaSets { get; }

    public PoolRegistry Registry { get; }

    public QueryCatalog Queries { get; }

    public HealthMonitor Monitor { get; }

    public DataMetrics Metrics { get; }

    /// <summary>The server's own database pool.</summary>
    public ConnectionPool Main => Registry.Get(PoolsOptions.MainPool);

    public static async Task<DataTier> StartAsync(PoolsOptions options, ShardsOptions shards, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var registry = new PoolRegistry(options.Definitions, loggerFactory);
        var sets = new List<ReplicaSet>();
        try
        {
            await registry.StartAsync(cancellationToken);
            var replicas = new HashSet<string>(shards.ReplicaPools, StringComparer.Ordinal);
            foreach (ConnectionPool pool in registry.Pools)
            {
                if (pool.Endpoint.Provider == DatabaseProvider.Sqlite)
                {
                    await ExecuteAsync(pool, "PRAGMA journal_mode=WAL", cancellationToken); // readers do not block the writer
                }

                if (!replicas.Contains(pool.Name))
                {
                    await DataSchema.ApplyAsync(pool, cancellationToken); // a replica is read-only: replication brings it
                }
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
            IPlayerStore players = new PlayerStore(registry.Get(PoolsOptions.MainPool), queries);
            if (shards.Strategy != ShardStrategyKind.None)
            {
                var setOptions = new ReplicaSetOptions { MaxLagTransactions = shards.MaxReplicaLagTransactions, ReadYourWritesWait = TimeSpan.FromMilliseconds(shards.ReplicaWaitMs) };
                foreach (string primary in shards.Pools)
                {
                    IReadOnlyList<string> names = shards.Replicas.TryGetValue(primary, out IReadOnlyList<string>? listed) ? listed : [];
                    var set = new ReplicaSet(registry.Get(primary), names.Select(registry.Get), setOptions, monitor, loggerFactory.CreateLogger("Realm.Data.Replicas"));
                    sets.Add(set);
                    set.Start();
                }

                IShardStrategy strategy = shards.CreateStrategy();
                ShardRouter router = shards.Strategy == ShardStrategyKind.Directory
                    ? new ShardRouter(new ShardDirectory(registry.Get(PoolsOptions.MainPool), queries, strategy, logger: loggerFactory.CreateLogger("Realm.Data.Directory")), shards.PoolPerLogicalShard())
                    : new ShardRouter(strategy, shards.PoolPerLogicalShard());
                players = new PlayerRepository(new ShardCluster(router, sets), queries);
            }

            return new DataTier(registry, queries, monitor, new DataMetrics(registry.Pools, queries, monitor), sets, players);
        }
        catch
        {
            foreach (ReplicaSet set in sets)
            {
                await set.DisposeAsync();
            }

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
        foreach (ReplicaSet set in ReplicaSets)
        {
            await set.DisposeAsync();
        }

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
