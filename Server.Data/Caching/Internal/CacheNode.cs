namespace Realm.Data.Caching.Internal;

/// <summary>
/// One entry: immutable key and value (a new value is a new node), its expiry, and the CLOCK reference
/// bit that a hit sets without taking a lock.
/// </summary>
internal sealed class CacheNode<TKey, TValue>
{
    /// <summary>No expiry.</summary>
    public const long Never = long.MaxValue;

    public CacheNode(TKey key, TValue value, long expiresAt, uint hash)
    {
        Key = key;
        Value = value;
        ExpiresAt = expiresAt;
        Hash = hash;
    }

    public TKey Key { get; }

    public TValue Value { get; }

    /// <summary>The key's mixed hash (shard from the high bits, bucket from the low bits).</summary>
    public uint Hash { get; }

    /// <summary>Clock milliseconds at which the entry stops being returned; <see cref="Never"/> for none.</summary>
    public long ExpiresAt { get; }

    /// <summary>
    /// 1 when hit since the clock hand last passed. Written by readers without a lock (a benign race: a
    /// lost set only makes the entry a little more likely to be evicted) and only when it is 0, so hot
    /// entries do not bounce their cache line between cores.
    /// </summary>
    public int Referenced;

    /// <summary>Set under the shard lock when the node leaves the map; its slot may then be reused at once.</summary>
    public bool Removed;

    /// <summary>Index in the shard's slot array (under the shard lock).</summary>
    public int Slot;

    /// <summary>
    /// Next node of the bucket chain. Written under the shard lock with <see cref="Volatile.Write{T}(ref T, T)"/>
    /// and read without it; an unlinked node keeps its link, so a reader standing on it walks on safely.
    /// </summary>
    public CacheNode<TKey, TValue>? Next;
}
