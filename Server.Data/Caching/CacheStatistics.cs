namespace Realm.Data.Caching;

/// <summary>Counters of one cache since it was created (a snapshot; each counter is exact, the set is not atomic).</summary>
/// <param name="Hits">Lookups that found a live entry.</param>
/// <param name="Misses">Lookups that found nothing or an expired entry.</param>
/// <param name="Evictions">Entries pushed out to make room.</param>
/// <param name="Expirations">Entries removed because their time to live ran out (on lookup or by the sweeper).</param>
/// <param name="Loads">Loader calls made by <see cref="ShardedLruCache{TKey, TValue}.GetOrAddAsync{TState}"/> (one per key however many callers missed together).</param>
/// <param name="LoadFailures">Loader calls that threw or were cancelled; nothing was cached for them.</param>
public readonly record struct CacheStatistics(long Hits, long Misses, long Evictions, long Expirations, long Loads, long LoadFailures)
{
    /// <summary>Hits ÷ lookups, 0 when there were none.</summary>
    public double HitRatio => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);
}
