using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using Realm.Data.Caching;

namespace Realm.Server.Benchmarks.Data.Caching;

/// <summary>
/// Question: what does one cache hit cost on one thread? Baseline: a bare
/// <see cref="ConcurrentDictionary{TKey, TValue}"/> read (no eviction, no expiry — the floor). Target
/// (TARGETS.md): ≤ 25 ns and 0 B for <see cref="ShardedLruCache{TKey, TValue}"/>.
/// </summary>
[MemoryDiagnoser]
public class CacheHitBenchmarks
{
    private const int Keys = 1000;
    private readonly ConcurrentDictionary<long, string> _dictionary = new();
    private readonly ShardedLruCache<long, string> _realm = new(new CacheOptions { Capacity = 16_384 });
    private readonly ShardedLruCache<long, string> _realmTtl = new(new CacheOptions { Capacity = 16_384, DefaultTimeToLive = TimeSpan.FromHours(1) });
    private readonly MemoryCache _memoryCache = new(new MemoryCacheOptions());
    private readonly LockedLru<long, string> _locked = new(16_384);
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        for (long key = 0; key < Keys; key++)
        {
            string value = "player " + key;
            _dictionary[key] = value;
            _realm.Set(key, value);
            _realmTtl.Set(key, value);
            _memoryCache.Set(key, value);
            _locked.Set(key, value);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _memoryCache.Dispose();

    [Benchmark(Baseline = true)]
    public string? ConcurrentDictionary() => _dictionary.TryGetValue(NextKey(), out string? v) ? v : null;

    [Benchmark]
    public string? RealmShardedLru() => _realm.TryGet(NextKey(), out string? v) ? v : null;

    [Benchmark]
    public string? RealmShardedLruWithTtl() => _realmTtl.TryGet(NextKey(), out string? v) ? v : null;

    [Benchmark]
    public string? LockedLru() => _locked.TryGet(NextKey(), out string? v) ? v : null;

    [Benchmark]
    public string? MemoryCache() => _memoryCache.TryGetValue(NextKey(), out string? v) ? v : null;

    private long NextKey() => _next++ % Keys;
}
