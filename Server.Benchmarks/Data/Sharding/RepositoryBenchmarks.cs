using BenchmarkDotNet.Attributes;
using Realm.Data.Caching;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Sharding;

namespace Realm.Server.Benchmarks.Data.Sharding;

/// <summary>
/// Question: what does the sharded repository add to loading a player? Baseline: <see cref="PlayerStore"/>
/// reading the row from its one database. Against it: the repository on a miss (route, cache miss, replica
/// set, the same read — its cache is too small to keep anything), and on a hit (route + cache: the path of
/// every load after the first). Two SQLite shard files, 1,024 players; 1,024 loads per operation.
/// </summary>
[MemoryDiagnoser]
public class RepositoryBenchmarks
{
    private const int Players = 1024;
    private readonly List<ConnectionPool> _pools = [];
    private PlayerStore _store = null!;
    private long[] _storeKeys = null!;
    private PlayerRepository _missing = null!;
    private PlayerRepository _hitting = null!;

    [GlobalSetup]
    public void Setup()
    {
        var queries = new QueryCatalog();
        Realm.Data.Schema.DataQueries.AddTo(queries);
        var sets = new List<ReplicaSet>();
        for (int i = 0; i < 2; i++)
        {
            string path = Path.Combine(Path.GetTempPath(), $"realm-bench-shard{i}-{Guid.NewGuid():N}.db");
            if (!DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error))
            {
                throw new InvalidOperationException(error);
            }

            var pool = new ConnectionPool($"shard{i}", endpoint!, new ConnectionPoolOptions { MaxSize = 2, LeakDetectionThreshold = null });
            _pools.Add(pool);
            sets.Add(new ReplicaSet(pool));
        }

        var cluster = new ShardCluster(new ShardRouter(new JumpHashStrategy(4), ["shard0", "shard0", "shard1", "shard1"]), sets);
        cluster.ApplySchemaAsync().GetAwaiter().GetResult();
        _missing = new PlayerRepository(cluster, queries, new CacheOptions { Capacity = 16, Shards = 1 });
        _hitting = new PlayerRepository(cluster, queries, new CacheOptions { Capacity = 4 * Players });
        for (long id = 1; id <= Players; id++)
        {
            _hitting.ClaimAsync(id, $"bench{id}", fence: 1).GetAwaiter().GetResult();
            _hitting.LoadAsync(id).AsTask().GetAwaiter().GetResult();
        }

        _store = new PlayerStore(_pools[0], queries);
        _storeKeys = [.. Enumerable.Range(1, Players).Select(i => (long)i).Where(id => cluster.Router.PoolOf(id) == "shard0")];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (ConnectionPool pool in _pools)
        {
            pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Players)]
    public async Task<long> StoreLoad()
    {
        long sum = 0;
        for (int i = 0; i < Players; i++)
        {
            sum += (await _store.LoadAsync(_storeKeys[i % _storeKeys.Length]))!.Value.Fence;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Players)]
    public async Task<long> RepositoryLoadMiss()
    {
        long sum = 0;
        for (long id = 1; id <= Players; id++)
        {
            sum += (await _missing.LoadAsync(id))!.Value.Fence;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Players)]
    public long RepositoryLoadHit()
    {
        long sum = 0;
        for (long id = 1; id <= Players; id++)
        {
            ValueTask<PlayerRecord?> load = _hitting.LoadAsync(id);
            sum += load.IsCompletedSuccessfully ? load.Result!.Value.Fence : throw new InvalidOperationException("not cached");
        }

        return sum;
    }
}
