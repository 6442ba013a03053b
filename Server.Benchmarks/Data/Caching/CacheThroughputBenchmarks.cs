using BenchmarkDotNet.Attributes;
using Realm.Data.Caching;
using Realm.Data.Workloads;

namespace Realm.Server.Benchmarks.Data.Caching;

/// <summary>
/// Question: how many lookups per second do two threads get through, on Zipf 0.86 keys (hot keys read
/// by both threads at once)? <c>Reads</c>: every key cached (all hits). <c>Mixed</c>: 50,000 keys through
/// a 5,000-entry cache, a miss inserts (evictions all along), 10 % of operations are writes. Baseline:
/// the locked 16-shard LRU. One invocation is 2 × 1,000,000 operations, so ns/op here is per operation
/// and ops/s = 10⁹ / mean. Target (TARGETS.md): ≥ 40 M reads/s on two threads.
/// </summary>
[MemoryDiagnoser]
public class CacheThroughputBenchmarks
{
    private const int Operations = 1_000_000;
    private const int KeyCount = 50_000;
    private int[][] _traces = null!;
    private ShardedLruCache<int, string> _realmAll = null!;
    private LockedLru<int, string> _lockedAll = null!;
    private ShardedLruCache<int, string> _realmSmall = null!;
    private LockedLru<int, string> _lockedSmall = null!;
    private string[] _values = null!;

    [GlobalSetup]
    public void Setup()
    {
        var zipf = new ZipfSampler(KeyCount, 0.86);
        _traces = new int[2][];
        for (int t = 0; t < 2; t++)
        {
            _traces[t] = new int[Operations];
            zipf.Fill(_traces[t], new Random(100 + t));
        }

        _values = Enumerable.Range(0, KeyCount).Select(k => "player " + k).ToArray();
        _realmAll = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 2 * KeyCount });
        _lockedAll = new LockedLru<int, string>(2 * KeyCount);
        for (int k = 0; k < KeyCount; k++)
        {
            _realmAll.Set(k, _values[k]);
            _lockedAll.Set(k, _values[k]);
        }

        _realmSmall = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 5_000 });
        _lockedSmall = new LockedLru<int, string>(5_000);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * Operations)]
    public void LockedLruReads() => OnTwoThreads(t =>
    {
        int found = 0;
        foreach (int key in _traces[t])
        {
            found += _lockedAll.TryGet(key, out _) ? 1 : 0;
        }

        return found;
    });

    [Benchmark(OperationsPerInvoke = 2 * Operations)]
    public void RealmReads() => OnTwoThreads(t =>
    {
        int found = 0;
        foreach (int key in _traces[t])
        {
            found += _realmAll.TryGet(key, out _) ? 1 : 0;
        }

        return found;
    });

    [Benchmark(OperationsPerInvoke = 2 * Operations)]
    public void LockedLruMixed() => OnTwoThreads(t =>
    {
        int[] trace = _traces[t];
        for (int i = 0; i < trace.Length; i++)
        {
            int key = trace[i];
            if (i % 10 == 0 || !_lockedSmall.TryGet(key, out _))
            {
                _lockedSmall.Set(key, _values[key]);
            }
        }

        return 0;
    });

    [Benchmark(OperationsPerInvoke = 2 * Operations)]
    public void RealmMixed() => OnTwoThreads(t =>
    {
        int[] trace = _traces[t];
        for (int i = 0; i < trace.Length; i++)
        {
            int key = trace[i];
            if (i % 10 == 0 || !_realmSmall.TryGet(key, out _))
            {
                _realmSmall.Set(key, _values[key]);
            }
        }

        return 0;
    });

    private static void OnTwoThreads(Func<int, int> work)
    {
        var second = new Thread(() => work(1));
        second.Start();
        work(0);
        second.Join();
    }
}
