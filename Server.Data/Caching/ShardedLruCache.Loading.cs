using System.Collections.Concurrent;

namespace Realm.Data.Caching;

/// <summary>Single-flight loading of missing keys.</summary>
public sealed partial class ShardedLruCache<TKey, TValue>
{
    private readonly ConcurrentDictionary<TKey, TaskCompletionSource<TValue>> _loading = new();
    private long _loads;
    private long _loadFailures;

    /// <summary>
    /// Returns <paramref name="key"/>'s cached value, or loads it with <paramref name="loader"/> and caches
    /// it. Callers that miss the same key while a load runs wait for that load instead of starting
    /// another (single flight).
    /// </summary>
    /// <remarks>
    /// A hit completes synchronously without allocating. The loader runs once per flight, with the
    /// first caller's <paramref name="cancellationToken"/>; if it throws or is cancelled nothing is
    /// cached and every caller of that flight gets the exception; the next call loads again. A waiting
    /// caller whose own token is cancelled stops waiting (the load goes on for the others).
    /// </remarks>
    /// <typeparam name="TState">State passed to the loader, so it needs no closure.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="loader">Loads the value for a key (for example from the database).</param>
    /// <param name="state">Passed to <paramref name="loader"/>.</param>
    /// <param name="timeToLive">Time to live of the loaded entry (default: <see cref="CacheOptions.DefaultTimeToLive"/>).</param>
    /// <param name="cancellationToken">Cancels this caller's wait (and the load, for the first caller).</param>
    public ValueTask<TValue> GetOrAddAsync<TState>(
        TKey key,
        Func<TKey, TState, CancellationToken, ValueTask<TValue>> loader,
        TState state,
        TimeSpan? timeToLive = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loader);
        return TryGet(key, out TValue? value) ? ValueTask.FromResult(value) : LoadAsync(key, loader, state, timeToLive, cancellationToken);
    }

    private async ValueTask<TValue> LoadAsync<TState>(
        TKey key,
        Func<TKey, TState, CancellationToken, ValueTask<TValue>> loader,
        TState state,
        TimeSpan? timeToLive,
        CancellationToken cancellationToken)
    {
        var flight = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<TValue> current = _loading.GetOrAdd(key, flight);
        if (current != flight)
        {
            return await current.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            // A flight that finished between our miss and GetOrAdd has already cached the value.
            uint hash = Hash(key);
            if (ShardOf(hash).Find(key, hash) is { } node && IsLive(node))
            {
                flight.SetResult(node.Value);
                return node.Value;
            }

            Interlocked.Increment(ref _loads);
            TValue value = await loader(key, state, cancellationToken).ConfigureAwait(false);
            Set(key, value, timeToLive);
            if (!_loading.TryGetValue(key, out TaskCompletionSource<TValue>? still) || still != flight)
            {
                RemoveEntry(key); // invalidated while loading (Remove): the value may predate the write
            }

            flight.SetResult(value);
            return value;
        }
        catch (OperationCanceledException e)
        {
            Interlocked.Increment(ref _loadFailures);
            flight.SetCanceled(e.CancellationToken);
            throw;
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _loadFailures);
            flight.SetException(e);
            throw;
        }
        finally
        {
            // After the value is cached (or the failure published): later callers hit the cache or start anew.
            _loading.TryRemove(new KeyValuePair<TKey, TaskCompletionSource<TValue>>(key, flight));
        }
    }
}
