namespace Realm.Data.Caching.Internal;

/// <summary>
/// One shard: a fixed-size chained hash table whose readers take no lock, the slots of its entries, and
/// a CLOCK hand over those slots (Corbató's CLOCK, the second-chance approximation of LRU). Inserts,
/// replacements, removals and evictions happen under the shard's lock.
/// </summary>
/// <remarks>
/// Lock-free reads: a node is fully built before a <see cref="Volatile.Write{T}(ref T, T)"/> publishes it
/// at a bucket head, and readers load heads and links with <see cref="Volatile.Read{T}(ref readonly T)"/>.
/// Nodes are never reused (a new value is a new node), so a reader can never see a node change key.
/// The table never resizes: it has at least as many buckets as the shard has slots.
/// </remarks>
internal sealed class CacheShard<TKey, TValue>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly CacheNode<TKey, TValue>?[] _buckets;
    private readonly CacheNode<TKey, TValue>?[] _slots;
    private readonly IEqualityComparer<TKey> _comparer;
    private readonly uint _bucketMask;
    private int _used;
    private int _hand;
    private int _count;

    public CacheShard(int capacity, IEqualityComparer<TKey> comparer)
    {
        _slots = new CacheNode<TKey, TValue>?[capacity];
        _buckets = new CacheNode<TKey, TValue>?[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity))];
        _bucketMask = (uint)_buckets.Length - 1;
        _comparer = comparer;
    }

    /// <summary>Live entries (read without the lock: approximate while writers run).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>The key's current node, or null. Lock-free.</summary>
    public CacheNode<TKey, TValue>? Find(TKey key, uint hash)
    {
        CacheNode<TKey, TValue>? node = Volatile.Read(ref _buckets[hash & _bucketMask]);
        while (node is not null)
        {
            if (node.Hash == hash && _comparer.Equals(node.Key, key))
            {
                return node;
            }

            node = Volatile.Read(ref node.Next);
        }

        return null;
    }

    /// <summary>Adds <paramref name="node"/>, replacing the key's current node if any; evicts when the shard is full.</summary>
    /// <returns>True when an entry had to be evicted.</returns>
    public bool Insert(CacheNode<TKey, TValue> node)
    {
        lock (_lock)
        {
            if (Find(node.Key, node.Hash) is { } old)
            {
                Unlink(old);
                node.Slot = old.Slot;
                _slots[old.Slot] = node;
                Link(node);
                return false;
            }

            bool evicted = false;
            int slot = _used < _slots.Length ? _used++ : FindVictim(out evicted);
            node.Slot = slot;
            _slots[slot] = node;
            Link(node);
            _count++;
            return evicted;
        }
    }

    /// <summary>Removes <paramref name="node"/> if it is still its key's current node.</summary>
    public bool Remove(CacheNode<TKey, TValue> node)
    {
        lock (_lock)
        {
            if (node.Removed)
            {
                return false;
            }

            Unlink(node);
            _count--;
            return true;
        }
    }

    /// <summary>Removes every entry expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(long now)
    {
        int removed = 0;
        lock (_lock)
        {
            for (int i = 0; i < _used; i++)
            {
                if (_slots[i] is { Removed: false } node && node.ExpiresAt <= now)
                {
                    Unlink(node);
                    _count--;
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Forgets every entry of this shard.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            for (int i = 0; i < _used; i++)
            {
                if (_slots[i] is { Removed: false } node)
                {
                    node.Removed = true;
                }

                _slots[i] = null;
            }

            for (int i = 0; i < _buckets.Length; i++)
            {
                Volatile.Write(ref _buckets[i], null);
            }

            _used = 0;
            _hand = 0;
            _count = 0;
        }
    }

    private void Link(CacheNode<TKey, TValue> node)
    {
        ref CacheNode<TKey, TValue>? head = ref _buckets[node.Hash & _bucketMask];
        node.Next = head;
        Volatile.Write(ref head, node); // publishes the fully built node
    }

    private void Unlink(CacheNode<TKey, TValue> node)
    {
        node.Removed = true;
        ref CacheNode<TKey, TValue>? link = ref _buckets[node.Hash & _bucketMask];
        while (link is not null)
        {
            if (link == node)
            {
                Volatile.Write(ref link, node.Next);
                return;
            }

            link = ref link.Next;
        }
    }

    /// <summary>
    /// Advances the hand to a slot it may reuse: a removed node's, or the first unreferenced one, clearing
    /// reference bits on the way (second chance). Ends within two turns: after one turn every bit is clear.
    /// </summary>
    private int FindVictim(out bool evicted)
    {
        while (true)
        {
            int slot = _hand;
            _hand = _hand + 1 == _slots.Length ? 0 : _hand + 1;
            CacheNode<TKey, TValue> candidate = _slots[slot]!;
            if (candidate.Removed)
            {
                evicted = false;
                return slot;
            }

            if (Volatile.Read(ref candidate.Referenced) != 0)
            {
                Volatile.Write(ref candidate.Referenced, 0);
                continue;
            }

            Unlink(candidate);
            _count--;
            evicted = true;
            return slot;
        }
    }
}
