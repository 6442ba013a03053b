using BenchmarkDotNet.Attributes;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Schema;

namespace Realm.Server.Benchmarks.Data.Routing;

/// <summary>
/// Question: what does routing one key cost (hash + pick a shard)? Baseline: modulo, the cheapest
/// possible pick. Target (TARGETS.md): ≤ 50 ns, 0 B. 1,024 keys per operation so the loop overhead
/// is spread; the figure per key is the mean ÷ 1,024. The directory is measured on its cache hit (every
/// key placed once in a SQLite global database during setup): the path every lookup but a key's first takes.
/// </summary>
[MemoryDiagnoser]
public class RouteBenchmarks
{
    private const int Keys = 1024;
    private readonly long[] _keys = new long[Keys];
    private ModuloStrategy _modulo = null!;
    private JumpHashStrategy _jump = null!;
    private RingStrategy _ring = null!;
    private ConnectionPool _global = null!;
    private ShardDirectory _directory = null!;
    private ShardRouter _directoryRouter = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Keys; i++)
        {
            _keys[i] = random.NextInt64();
        }

        _modulo = new ModuloStrategy(16);
        _jump = new JumpHashStrategy(16);
        _ring = new RingStrategy(16);
        if (_jump.ShardOf(StableHash.Hash(42)) != new JumpHashStrategy(16).ShardOf(StableHash.Hash(42)))
        {
            throw new InvalidOperationException("routing is not deterministic");
        }

        string path = Path.Combine(Path.GetTempPath(), $"realm-bench-directory-{Guid.NewGuid():N}.db");
        if (!DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _global = new ConnectionPool("global", endpoint!, new ConnectionPoolOptions { MaxSize = 2, LeakDetectionThreshold = null });
        DataSchema.ApplyAsync(_global).GetAwaiter().GetResult();
        var queries = new QueryCatalog();
        DataQueries.AddTo(queries);
        _directory = new ShardDirectory(_global, queries, new JumpHashStrategy(16));
        _directoryRouter = new ShardRouter(_directory, [.. Enumerable.Range(0, 16).Select(i => $"db{i % 4}")]);
        foreach (long key in _keys)
        {
            _directory.ShardOfAsync(key).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _global.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, OperationsPerInvoke = Keys)]
    public int Modulo() => Route(_modulo);

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Jump() => Route(_jump);

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Ring() => Route(_ring);

    [Benchmark(OperationsPerInvoke = Keys)]
    public int DirectoryCached()
    {
        int sum = 0;
        foreach (long key in _keys)
        {
            sum += _directory.TryGetCached(key, out int shard) ? shard : throw new InvalidOperationException("not cached");
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Keys)]
    public int RouterOverDirectoryCached()
    {
        int sum = 0;
        foreach (long key in _keys)
        {
            ValueTask<int> shard = _directoryRouter.LogicalShardOfAsync(key);
            sum += shard.IsCompletedSuccessfully ? shard.Result : throw new InvalidOperationException("not cached");
        }

        return sum;
    }

    private int Route(IShardStrategy strategy)
    {
        int sum = 0;
        foreach (long key in _keys)
        {
            sum += strategy.ShardOf(StableHash.Hash(key));
        }

        return sum;
    }
}
