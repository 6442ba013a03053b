using System.Collections.Concurrent;

namespace Realm.Data.Caching.Internal;

/// <summary>
/// One shard's slots and CLOCK hand (Corbató's CLOCK, the second-chance approximation of LRU): inserts,
/// replacements, removals and evictions happen under the shard's lock; lookups never take it.
/// </summary>
internal sealed class CacheShard<TKey, TValue>
    where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly CacheNode<TKey, TValue>?[] _slots;
    private int _used;
    private int _hand;

    public CacheShard(int capacity) => _slots = new CacheNode<TKey, TValue>?[capacity];

    /// <summary>
    /// Puts <paramref name="node"/> in the map, replacing the key's current node if any, and makes room
    /// by evicting when the shard is full.
    /// </summary>
    /// <returns>True when an entry had to be evicted.</returns>
    public bool Insert(ConcurrentDictionary<TKey, CacheNode<TKey, TValue>> map, CacheNode<TKey, TValue> node)
    {
        lock (_lock)
        {
            // Every change to this shard's keys happens under this lock, so the map entry read here
            // cannot change until we leave.
            if (map.TryGetValue(node.Key, out CacheNode<TKey, TValue>? old) && !old.Removed)
            {
                node.Slot = old.Slot;
                _slots[old.Slot] = node;
                old.Removed = true;
                map[node.Key] = node;
                return false;
            }

            bool evicted = false;
            int slot;
            if (_used < _slots.Length)
            {
                slot = _used++;
            }
            else
            {
                slot = FindVictim(map, out evicted);
            }

            node.Slot = slot;
            _slots[slot] = node;
            map[node.Key] = node;
            return evicted;
        }
    }

    /// <summary>Removes <paramref name="node"/> if it is still the key's current node.</summary>
    public bool Remove(ConcurrentDictionary<TKey, CacheNode<TKey, TValue>> map, CacheNode<TKey, TValue> node)
    {
        lock (_lock)
        {
            if (node.Removed)
            {
                return false;
            }

            node.Removed = true;
            map.TryRemove(new KeyValuePair<TKey, CacheNode<TKey, TValue>>(node.Key, node));
            return true;
        }
    }

    /// <summary>Removes every entry expired at <paramref name="now"/>; returns how many.</summary>
    public int RemoveExpired(ConcurrentDictionary<TKey, CacheNode<TKey, TValue>> map, long now)
    {
        int removed = 0;
        lock (_lock)
        {
            for (int i = 0; i < _used; i++)
            {
                CacheNode<TKey, TValue>? node = _slots[i];
                if (node is { Removed: false } && node.ExpiresAt <= now)
                {
                    node.Removed = true;
                    map.TryRemove(new KeyValuePair<TKey, CacheNode<TKey, TValue>>(node.Key, node));
                    removed++;
                }
            }
        }

        return removed;
    }

    /// <summary>Forgets every entry of this shard.</summary>
    public void Clear(ConcurrentDictionary<TKey, CacheNode<TKey, TValue>> map)
    {
        lock (_lock)
        {
            for (int i = 0; i < _used; i++)
            {
                if (_slots[i] is { Removed: false } node)
                {
                    node.Removed = true;
                    map.TryRemove(new KeyValuePair<TKey, CacheNode<TKey, TValue>>(node.Key, node));
                }

                _slots[i] = null;
            }

            _used = 0;
            _hand = 0;
        }
    }

    /// <summary>
    /// Advances the hand to a slot it may reuse: a removed node's, or the first unreferenced one, clearing
    /// reference bits on the way (second chance). Ends within two turns: after one turn every bit is clear.
    /// </summary>
    private int FindVictim(ConcurrentDictionary<TKey, CacheNode<TKey, TValue>> map, out bool evicted)
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

            candidate.Removed = true;
            map.TryRemove(new KeyValuePair<TKey, CacheNode<TKey, TValue>>(candidate.Key, candidate));
            evicted = true;
            return slot;
        }
    }
}
