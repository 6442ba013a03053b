using System.Diagnostics.CodeAnalysis;
using Realm.Data.Caching.Internal;
using Realm.Data.Internal;

namespace Realm.Data.Caching;

/// <summary>
/// A bounded in-memory cache with approximate LRU eviction, built for read-heavy concurrent use (player
/// records read on every login and zone change, written rarely).
/// </summary>
/// <remarks>
/// <para>
/// Lookups are lock-free: one hash (mixed with MurmurHash3's finalizer), a walk of one bucket of the
/// key's shard, an expiry check (only for entries that have a time to live) and, on a hit, setting the
/// entry's reference bit when it is clear. Nothing is reordered on a hit, so hits on several cores do not contend. Inserts, removals
/// and evictions take the lock of the key's shard (a power-of-two number of shards, each holding
/// <c>Capacity / Shards</c> entries); eviction is CLOCK (second chance), which approximates LRU.
/// </para>
/// <para>
/// Expired entries are never returned: a lookup that finds one removes it and reports a miss, and a
/// <see cref="CacheRegistry"/> sweeps expired entries in the background. Times come from
/// <see cref="Environment.TickCount64"/> unless <see cref="CacheOptions.Clock"/> is set.
/// </para>
/// <para>
/// <see cref="GetOrAddAsync{TState}"/> loads a missing key once however many callers miss it at the same
/// time (single flight); a failed load is not cached, and every caller waiting on it sees the failure.
/// </para>
/// <para>Thread-safe. A hit allocates nothing; an insert allocates one node.</para>
/// </remarks>
/// <typeparam name="TKey">Key type; its <see cref="IEqualityComparer{T}"/> must be stable while cached.</typeparam>
/// <typeparam name="TValue">Value type; values are stored as given (cache immutable values).</typeparam>
public sealed partial class ShardedLruCache<TKey, TValue> : ICacheSweepable
    where TKey : notnull
{
    private readonly CacheShard<TKey, TValue>[] _shards;
    private readonly IEqualityComparer<TKey> _comparer;
    private readonly Func<long>? _clock;
    private readonly long _defaultTtl;
    private readonly StripedCounter _hits = new();
    private readonly StripedCounter _misses = new();
    private readonly StripedCounter _expirations = new();
    private long _evictions;

    /// <summary>Creates a cache; invalid options throw <see cref="ArgumentException"/> listing every problem.</summary>
    /// <param name="options">Capacity, shards, default time to live, clock.</param>
    /// <param name="name">Name for statistics and the <see cref="CacheRegistry"/>.</param>
    /// <param name="comparer">Key comparer (default: <see cref="EqualityComparer{T}.Default"/>).</param>
    public ShardedLruCache(CacheOptions options, string name = "cache", IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), $"cache \"{name}\": " + string.Join("; ", errors));
        }

        Name = name;
        Capacity = options.Capacity;
        int shards = options.EffectiveShards;
        _comparer = comparer ?? EqualityComparer<TKey>.Default;
        _clock = options.Clock;
        _defaultTtl = options.DefaultTimeToLive is { } ttl ? (long)Math.Ceiling(ttl.TotalMilliseconds) : 0;
        _shards = new CacheShard<TKey, TValue>[shards];
        for (int i = 0; i < shards; i++)
        {
            // The capacity is split evenly; the remainder goes to the first shards.
            _shards[i] = new CacheShard<TKey, TValue>((options.Capacity / shards) + (i < options.Capacity % shards ? 1 : 0), _comparer);
        }
    }

    /// <summary>The cache's name.</summary>
    public string Name { get; }

    /// <summary>Largest number of entries.</summary>
    public int Capacity { get; }

    /// <summary>Entries held now (expired ones not yet removed included).</summary>
    public int Count
    {
        get
        {
            int count = 0;
            foreach (CacheShard<TKey, TValue> shard in _shards)
            {
                count += shard.Count;
            }

            return count;
        }
    }

    /// <summary>Counters since creation.</summary>
    public CacheStatistics Statistics => new(
        _hits.Value, _misses.Value, Interlocked.Read(ref _evictions), _expirations.Value, Interlocked.Read(ref _loads), Interlocked.Read(ref _loadFailures));

    /// <summary>Looks <paramref name="key"/> up; false when it is absent or expired.</summary>
    public bool TryGet(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        uint hash = Hash(key);
        if (ShardOf(hash).Find(key, hash) is { } node)
        {
            if (IsLive(node))
            {
                if (node.Referenced == 0)
                {
                    node.Referenced = 1; // benign race with the clock hand; see CacheNode.Referenced
                }

                _hits.Increment();
                value = node.Value;
                return true;
            }

            ExpireOnLookup(node);
        }

        _misses.Increment();
        value = default;
        return false;
    }

    /// <summary>Adds or replaces <paramref name="key"/>'s value, evicting the least recently used entry of its shard when full.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="timeToLive">How long it may be returned (default: <see cref="CacheOptions.DefaultTimeToLive"/>, or forever).</param>
    public void Set(TKey key, TValue value, TimeSpan? timeToLive = null)
    {
        if (timeToLive is { } given && given <= TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(timeToLive), $"time to live {given} must be above zero");
        }

        long ttl = timeToLive is { } t ? (long)Math.Ceiling(t.TotalMilliseconds) : _defaultTtl;

        uint hash = Hash(key);
        var node = new CacheNode<TKey, TValue>(key, value, ttl == 0 ? CacheNode<TKey, TValue>.Never : Now() + ttl, hash);
        if (ShardOf(hash).Insert(node))
        {
            Interlocked.Increment(ref _evictions);
        }
    }

    /// <summary>
    /// Removes <paramref name="key"/> (invalidation after a write); false when it was not cached. A load of the
    /// key already running (<see cref="GetOrAddAsync"/>) may have read the value from before the write: its
    /// result still goes to its callers but is not cached, and the next call loads anew.
    /// </summary>
    public bool Remove(TKey key)
    {
        _loading.TryRemove(key, out _);
        return RemoveEntry(key);
    }

    private bool RemoveEntry(TKey key)
    {
        uint hash = Hash(key);
        CacheShard<TKey, TValue> shard = ShardOf(hash);
        return shard.Find(key, hash) is { } node && shard.Remove(node);
    }

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        foreach (CacheShard<TKey, TValue> shard in _shards)
        {
            shard.Clear();
        }
    }

    /// <summary>Removes every expired entry now (the <see cref="CacheRegistry"/> sweeper calls this); returns how many.</summary>
    public int RemoveExpired()
    {
        long now = Now();
        int removed = 0;
        foreach (CacheShard<TKey, TValue> shard in _shards)
        {
            removed += shard.RemoveExpired(now);
        }

        _expirations.Add(removed);
        return removed;
    }

    private long Now() => _clock is null ? Environment.TickCount64 : _clock();

    /// <summary>Not expired (entries without a TTL never read the clock).</summary>
    private bool IsLive(CacheNode<TKey, TValue> node) => node.ExpiresAt == CacheNode<TKey, TValue>.Never || node.ExpiresAt > Now();

    /// <summary>
    /// The key's hash code through MurmurHash3's 32-bit finalizer (Appleby), so that hash codes that differ
    /// only in high bits, or are multiples of a power of two, still spread over shards and buckets.
    /// </summary>
    private uint Hash(TKey key)
    {
        uint h = (uint)_comparer.GetHashCode(key);
        h ^= h >> 16;
        h *= 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        h ^= h >> 16;
        return h;
    }

    /// <summary>The hash's top bits pick the shard (multiply-shift: also right for one shard); the bucket uses the low bits.</summary>
    private CacheShard<TKey, TValue> ShardOf(uint hash) => _shards[(int)(((ulong)hash * (uint)_shards.Length) >> 32)];

    private void ExpireOnLookup(CacheNode<TKey, TValue> node)
    {
        if (ShardOf(node.Hash).Remove(node))
        {
            _expirations.Increment();
        }
    }
}
