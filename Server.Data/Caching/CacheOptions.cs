namespace Realm.Data.Caching;

/// <summary>Settings of one <see cref="ShardedLruCache{TKey, TValue}"/>; validated when the cache is created.</summary>
public sealed class CacheOptions
{
    /// <summary>Largest number of entries (default 10,000). At least <see cref="Shards"/>; each shard holds an equal part.</summary>
    public int Capacity { get; set; } = 10_000;

    /// <summary>
    /// Independent shards, each with its own lock for inserts and evictions (default 0: the next power of
    /// two at or above 4 × the processor count, fewer when that would leave a shard under 256 entries).
    /// A power of two; more shards mean less contention on misses and a slightly coarser approximation
    /// of LRU. Each shard holds <c>Capacity / Shards</c> entries and keys do not spread perfectly
    /// evenly, so a shard can start evicting a little before the whole cache holds <see cref="Capacity"/>.
    /// </summary>
    public int Shards { get; set; }

    /// <summary>Time to live of an entry set without its own (default null: entries do not expire).</summary>
    public TimeSpan? DefaultTimeToLive { get; set; }

    /// <summary>
    /// Clock in milliseconds for TTL checks (default null: <see cref="Environment.TickCount64"/>). Tests
    /// inject one to move time without waiting.
    /// </summary>
    public Func<long>? Clock { get; set; }

    /// <summary>The shard count after the default is applied.</summary>
    internal int EffectiveShards => Shards > 0 ? Shards : Math.Max(1, Math.Min(
        (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(4 * Environment.ProcessorCount)),
        1 << System.Numerics.BitOperations.Log2((uint)Math.Max(1, Capacity / 256))));

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        int shards = EffectiveShards;
        if (Shards < 0 || Shards > 4096 || (shards & (shards - 1)) != 0)
        {
            errors.Add($"Shards: {Shards} is not allowed: 0 (automatic) or a power of two up to 4096");
        }

        if (Capacity < shards || Capacity > 1 << 28)
        {
            errors.Add($"Capacity: {Capacity} is not allowed: from Shards ({shards}) to {1 << 28}");
        }

        if (DefaultTimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            errors.Add($"DefaultTimeToLive: {ttl} is not allowed: above zero, or null for no expiry");
        }

        return errors;
    }
}
