using System.Collections.Concurrent;
using Realm.Data.Internal;

namespace Realm.Data.Caching;

/// <summary>
/// Named caches (<c>player_cache</c>, ...) and the one background task that sweeps expired entries out
/// of all of them. Create one per process (or per test) and pass it, or its caches, to what needs them.
/// </summary>
/// <remarks>Thread-safe. Dispose stops the sweeper and waits for a sweep in progress.</remarks>
public sealed class CacheRegistry : IDisposable, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ICacheSweepable> _caches = new(StringComparer.Ordinal);
    private readonly PeriodicWork _sweeper;
    private long _sweeps;
    private long _swept;
    private int _disposed;

    /// <param name="sweepInterval">Time between sweeps of all caches (default 1 s); at least 10 ms.</param>
    public CacheRegistry(TimeSpan? sweepInterval = null)
    {
        SweepInterval = sweepInterval ?? TimeSpan.FromSeconds(1);
        if (SweepInterval < TimeSpan.FromMilliseconds(10))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(sweepInterval), $"sweep interval {SweepInterval} is below 10 ms");
        }

        _sweeper = new PeriodicWork(SweepInterval, TimeProvider.System, runAtOnce: false, _ =>
        {
            SweepNow();
            return Task.CompletedTask;
        });
        _sweeper.Start();
    }

    /// <summary>Time between background sweeps.</summary>
    public TimeSpan SweepInterval { get; }

    /// <summary>Names of the caches, in no order.</summary>
    public ICollection<string> Names => _caches.Keys;

    /// <summary>Sweeps run so far (background and <see cref="SweepNow"/>).</summary>
    public long Sweeps => Interlocked.Read(ref _sweeps);

    /// <summary>Expired entries removed by sweeps so far.</summary>
    public long SweptEntries => Interlocked.Read(ref _swept);

    /// <summary>Creates and registers a cache; a name already taken is an error.</summary>
    /// <exception cref="ArgumentException">The options are invalid, or the name is taken.</exception>
    public ShardedLruCache<TKey, TValue> Create<TKey, TValue>(string name, CacheOptions options, IEqualityComparer<TKey>? comparer = null)
        where TKey : notnull
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var cache = new ShardedLruCache<TKey, TValue>(options, name, comparer);
        if (!_caches.TryAdd(name, cache))
        {
            ThrowHelper.ThrowArgument(nameof(name), $"a cache named \"{name}\" is already registered");
        }

        return cache;
    }

    /// <summary>The cache registered as <paramref name="name"/> with these key and value types.</summary>
    /// <exception cref="KeyNotFoundException">No cache has that name, or it has other types.</exception>
    public ShardedLruCache<TKey, TValue> Get<TKey, TValue>(string name)
        where TKey : notnull
    {
        if (!_caches.TryGetValue(name, out ICacheSweepable? cache))
        {
            throw new KeyNotFoundException($"no cache named \"{name}\"; registered: {string.Join(", ", _caches.Keys.Order(StringComparer.Ordinal))}");
        }

        return cache as ShardedLruCache<TKey, TValue>
            ?? throw new KeyNotFoundException($"cache \"{name}\" is a {cache.GetType().Name}, not ShardedLruCache<{typeof(TKey).Name}, {typeof(TValue).Name}>");
    }

    /// <summary>Sweeps every cache now; returns the expired entries removed.</summary>
    public int SweepNow()
    {
        int removed = 0;
        foreach (ICacheSweepable cache in _caches.Values)
        {
            removed += cache.RemoveExpired();
        }

        Interlocked.Increment(ref _sweeps);
        Interlocked.Add(ref _swept, removed);
        return removed;
    }

    /// <summary>Stops the sweeper and waits for a sweep in progress; the caches stay usable.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sweeper.Dispose();
    }

    /// <summary>Stops the sweeper and waits for a sweep in progress; the caches stay usable.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
    }
}
