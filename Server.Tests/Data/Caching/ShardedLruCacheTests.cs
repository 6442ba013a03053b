using Realm.Data.Caching;
using Realm.Data.Workloads;

namespace Realm.Server.Tests.Data.Caching;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ShardedLruCacheTests
{
    private long _now = 1_000;

    [Test]
    public void Set_TenTimesCapacity_CountStaysAtCapacity_AndEveryExtraInsertEvicts()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 1024, Shards = 8 });
        for (int i = 0; i < 10_240; i++)
        {
            cache.Set(i, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.That(cache.Count, Is.EqualTo(1024));
        Assert.That(cache.Statistics.Evictions, Is.EqualTo(10_240 - 1024));
    }

    [Test]
    public void Set_WhenFull_EvictsAnUnreferencedEntry_NotOneThatWasReadSinceTheHandPassed()
    {
        var cache = new ShardedLruCache<string, int>(new CacheOptions { Capacity = 4, Shards = 1 });
        foreach (string key in new[] { "a", "b", "c", "d" })
        {
            cache.Set(key, key[0]);
        }

        Assert.That(cache.TryGet("a", out _), Is.True); // a gets its second chance
        cache.Set("e", 'e');
        Assert.That(cache.TryGet("a", out _), Is.True);
        Assert.That(cache.TryGet("b", out _), Is.False, "b was the least recently used");
        Assert.That(cache.TryGet("c", out _) && cache.TryGet("d", out _) && cache.TryGet("e", out _), Is.True);
    }

    [Test]
    public void Set_ExistingKey_ReplacesTheValueWithoutGrowing()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 8, Shards = 1 });
        cache.Set(1, "one");
        cache.Set(1, "uno");
        Assert.That(cache.TryGet(1, out string? value), Is.True);
        Assert.That(value, Is.EqualTo("uno"));
        Assert.That(cache.Count, Is.EqualTo(1));
        for (int i = 2; i <= 8; i++)
        {
            cache.Set(i, "x");
        }

        Assert.That(cache.Statistics.Evictions, Is.Zero, "the replaced entry's slot was reused, not leaked");
    }

    [Test]
    public void TryGet_AfterTheTimeToLive_MissesAndCountsAnExpiration()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 16, Shards = 1, Clock = () => _now });
        cache.Set(1, "short", TimeSpan.FromMilliseconds(100));
        cache.Set(2, "forever");
        _now += 99;
        Assert.That(cache.TryGet(1, out _), Is.True);
        _now += 1;
        Assert.That(cache.TryGet(1, out _), Is.False, "an expired entry is never returned");
        Assert.That(cache.TryGet(2, out _), Is.True);
        Assert.That(cache.Statistics, Is.EqualTo(new CacheStatistics(Hits: 2, Misses: 1, Evictions: 0, Expirations: 1, Loads: 0, LoadFailures: 0)));
        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public void DefaultTimeToLive_AppliesUnlessTheEntryHasItsOwn_AndTheSweeperRemovesExpiredEntries()
    {
        using var registry = new CacheRegistry(TimeSpan.FromHours(1)); // swept by hand below
        ShardedLruCache<int, int> cache = registry.Create<int, int>("player_cache", new CacheOptions { Capacity = 64, Shards = 2, DefaultTimeToLive = TimeSpan.FromSeconds(1), Clock = () => _now });
        for (int i = 0; i < 10; i++)
        {
            cache.Set(i, i);
        }

        cache.Set(100, 100, TimeSpan.FromSeconds(10));
        _now += 1_000;
        Assert.That(registry.SweepNow(), Is.EqualTo(10));
        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.TryGet(100, out _), Is.True);
        Assert.That(cache.Statistics.Expirations, Is.EqualTo(10));
        Assert.That(registry.Get<int, int>("player_cache"), Is.SameAs(cache));
    }

    [Test]
    public void Remove_InvalidatesTheKey_OnceOnly()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 16, Shards = 1 });
        cache.Set(7, "seven");
        Assert.That(cache.Remove(7), Is.True);
        Assert.That(cache.Remove(7), Is.False);
        Assert.That(cache.TryGet(7, out _), Is.False);
        cache.Set(7, "again");
        Assert.That(cache.TryGet(7, out string? v) ? v : null, Is.EqualTo("again"));
    }

    [Test]
    public void Hit_AllocatesNothing_NorDoesAGetOrAddHit()
    {
        // Headroom: each shard holds Capacity / Shards, and 1,000 keys do not spread perfectly evenly.
        var cache = new ShardedLruCache<long, string>(new CacheOptions { Capacity = 4096, DefaultTimeToLive = TimeSpan.FromHours(1) });
        for (long i = 0; i < 1000; i++)
        {
            cache.Set(i, "v");
        }

        Func<long, int, CancellationToken, ValueTask<string>> loader = static (_, _, _) => ValueTask.FromResult("loaded");
        cache.TryGet(1, out _);
        Assert.That(HitNow(cache.GetOrAddAsync(1, loader, 0)), Is.True);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int found = 0;
        for (long i = 0; i < 100_000; i++)
        {
            found += cache.TryGet(i % 1000, out _) ? 1 : 0;
            found += HitNow(cache.GetOrAddAsync(i % 1000, loader, 0)) ? 1 : 0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(found, Is.EqualTo(200_000));
        Assert.That(allocated, Is.Zero);
    }

    /// <summary>True when the lookup completed synchronously (a hit); consumes the ValueTask once.</summary>
    private static bool HitNow(ValueTask<string> lookup)
    {
        bool completed = lookup.IsCompletedSuccessfully;
        _ = completed ? lookup.Result : lookup.AsTask().GetAwaiter().GetResult();
        return completed;
    }

    [Test]
    public async Task GetOrAddAsync_ThousandConcurrentMissesOnOneKey_LoadOnce()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 64 });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int loads = 0;
        Func<int, TaskCompletionSource, CancellationToken, ValueTask<string>> loader = async (key, g, _) =>
        {
            Interlocked.Increment(ref loads);
            await g.Task;
            return "player " + key;
        };

        Task<string>[] callers = Enumerable.Range(0, 1000).Select(_ => Task.Run(() => cache.GetOrAddAsync(42, loader, gate).AsTask())).ToArray();
        while (Volatile.Read(ref loads) == 0)
        {
            await Task.Yield();
        }

        while (cache.Statistics.Misses < 1000)
        {
            await Task.Yield(); // every caller missed, so each has reached the flight or is joining it
        }

        gate.SetResult();
        string[] values = await Task.WhenAll(callers);
        Assert.That(values, Is.All.EqualTo("player 42"));
        Assert.That(loads, Is.EqualTo(1));
        Assert.That(cache.Statistics.Loads, Is.EqualTo(1));
    }

    [Test]
    public async Task GetOrAddAsync_FailedLoad_EveryWaiterSeesIt_AndNothingIsCached()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 64 });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, TaskCompletionSource, CancellationToken, ValueTask<string>> failing = async (_, g, _) =>
        {
            await g.Task;
            throw new InvalidOperationException("database down");
        };

        Task<string>[] callers = Enumerable.Range(0, 20).Select(_ => cache.GetOrAddAsync(1, failing, gate).AsTask()).ToArray();
        gate.SetResult();
        foreach (Task<string> caller in callers)
        {
            Assert.That(async () => await caller, Throws.InvalidOperationException.With.Message.EqualTo("database down"));
        }

        Assert.That(cache.TryGet(1, out _), Is.False);
        string value = await cache.GetOrAddAsync(1, static (_, _, _) => ValueTask.FromResult("recovered"), 0);
        Assert.That(value, Is.EqualTo("recovered"));
        Assert.That(cache.Statistics.Loads, Is.EqualTo(2));
        Assert.That(cache.Statistics.LoadFailures, Is.EqualTo(1));
    }

    [Test]
    public async Task GetOrAddAsync_AWaiterCancels_OthersStillGetTheLoadedValue()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 64 });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, TaskCompletionSource, CancellationToken, ValueTask<string>> loader = async (_, g, _) =>
        {
            await g.Task;
            return "loaded";
        };

        Task<string> first = cache.GetOrAddAsync(5, loader, gate).AsTask();
        using var cancel = new CancellationTokenSource();
        Task<string> impatient = cache.GetOrAddAsync(5, loader, gate, cancellationToken: cancel.Token).AsTask();
        await cancel.CancelAsync();
        Assert.That(async () => await impatient, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();
        Assert.That(await first, Is.EqualTo("loaded"));
        Assert.That(cache.TryGet(5, out _), Is.True);
    }

    [Test]
    public async Task Remove_DuringALoad_TheLoadedValueIsNotCached_TheNextCallLoadsAnew()
    {
        var cache = new ShardedLruCache<int, string>(new CacheOptions { Capacity = 64 });
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, TaskCompletionSource, CancellationToken, ValueTask<string>> slow = async (_, g, _) =>
        {
            await g.Task;
            return "read before the write";
        };

        Task<string> loading = cache.GetOrAddAsync(9, slow, gate).AsTask();
        cache.Remove(9); // a write happened while the load was reading
        gate.SetResult();
        Assert.That(await loading, Is.EqualTo("read before the write"), "its callers still get their answer");
        Assert.That(cache.TryGet(9, out _), Is.False, "but it is not cached");
        Assert.That(await cache.GetOrAddAsync(9, static (_, _, _) => ValueTask.FromResult("after the write"), 0), Is.EqualTo("after the write"));
        Assert.That(cache.TryGet(9, out string? cached) ? cached : null, Is.EqualTo("after the write"));
    }

    [Test]
    public void HitRatio_OnAZipf086Trace_50kKeys_Capacity5k_IsAtLeastLru()
    {
        // TARGETS.md: LRU 53.9 %, ConcurrentLru 56.3 % on this workload. Deterministic trace (seed).
        var zipf = new ZipfSampler(50_000, 0.86);
        var random = new Random(20261122);
        int[] trace = new int[2_000_000];
        zipf.Fill(trace, random);
        var cache = new ShardedLruCache<int, int>(new CacheOptions { Capacity = 5_000, Shards = 16 });
        foreach (int key in trace)
        {
            if (!cache.TryGet(key, out _))
            {
                cache.Set(key, key);
            }
        }

        double ratio = cache.Statistics.HitRatio;
        double lru = ExactLruHitRatio(trace, 5_000);
        TestContext.Out.WriteLine($"hit ratio {ratio:P2}, exact LRU on the same trace {lru:P2} (Zipf 0.86, 50 k keys, capacity 5 k, 2 M lookups)");
        Assert.That(ratio, Is.GreaterThanOrEqualTo(0.539));
        Assert.That(ratio, Is.GreaterThanOrEqualTo(lru - 0.005), "CLOCK approximates LRU at least this closely");
    }

    /// <summary>A textbook LRU (dictionary + linked list), single-threaded: the reference hit ratio.</summary>
    private static double ExactLruHitRatio(int[] trace, int capacity)
    {
        var map = new Dictionary<int, LinkedListNode<int>>(capacity);
        var order = new LinkedList<int>();
        long hits = 0;
        foreach (int key in trace)
        {
            if (map.TryGetValue(key, out LinkedListNode<int>? node))
            {
                hits++;
                order.Remove(node);
                order.AddFirst(node);
                continue;
            }

            if (map.Count == capacity)
            {
                map.Remove(order.Last!.Value);
                order.RemoveLast();
            }

            map[key] = order.AddFirst(key);
        }

        return (double)hits / trace.Length;
    }

    [TestCase(0, 16, "Capacity")]
    [TestCase(1000, 3, "Shards")]
    public void Options_Invalid_AreRefusedNamingTheSetting(int capacity, int shards, string name)
    {
        Assert.That(() => new ShardedLruCache<int, int>(new CacheOptions { Capacity = capacity, Shards = shards }), Throws.ArgumentException.With.Message.Contains(name));
    }

    [Test]
    public void Registry_DuplicateName_IsRefused_AndAnUnknownNameListsTheKnownOnes()
    {
        using var registry = new CacheRegistry();
        registry.Create<int, int>("player_cache", new CacheOptions { Capacity = 64 });
        Assert.That(() => registry.Create<int, int>("player_cache", new CacheOptions { Capacity = 64 }), Throws.ArgumentException.With.Message.Contains("already registered"));
        Assert.That(() => registry.Get<int, int>("guild_cache"), Throws.InstanceOf<KeyNotFoundException>().With.Message.Contains("player_cache"));
        Assert.That(() => registry.Get<string, int>("player_cache"), Throws.InstanceOf<KeyNotFoundException>());
    }
}
