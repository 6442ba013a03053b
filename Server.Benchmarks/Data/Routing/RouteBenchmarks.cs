using BenchmarkDotNet.Attributes;
using Realm.Data.Routing;

namespace Realm.Server.Benchmarks.Data.Routing;

/// <summary>
/// Question: what does routing one key cost (hash + pick a shard)? Baseline: modulo, the cheapest
/// possible pick. Target (TARGETS.md): ≤ 50 ns, 0 B. 1,024 keys per operation so the loop overhead
/// is spread; the figure per key is the mean ÷ 1,024.
/// </summary>
[MemoryDiagnoser]
public class RouteBenchmarks
{
    private const int Keys = 1024;
    private readonly long[] _keys = new long[Keys];
    private ModuloStrategy _modulo = null!;
    private JumpHashStrategy _jump = null!;
    private RingStrategy _ring = null!;

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
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Keys)]
    public int Modulo() => Route(_modulo);

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Jump() => Route(_jump);

    [Benchmark(OperationsPerInvoke = Keys)]
    public int Ring() => Route(_ring);

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
