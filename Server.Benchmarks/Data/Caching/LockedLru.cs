namespace Realm.Server.Benchmarks.Data.Caching;

/// <summary>
/// The textbook concurrent LRU, for comparison: 16 shards, each a dictionary and a linked list behind a
/// lock; a hit moves the entry to the front under the lock. TARGETS.md's "locked 16-shard LRU" row.
/// </summary>
internal sealed class LockedLru<TKey, TValue>
    where TKey : notnull
{
    private readonly Shard[] _shards;

    public LockedLru(int capacity)
    {
        _shards = new Shard[16];
        for (int i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard(capacity / _shards.Length);
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        Shard shard = _shards[key.GetHashCode() & 15];
        lock (shard.Lock)
        {
            if (shard.Map.TryGetValue(key, out LinkedListNode<(TKey Key, TValue Value)>? node))
            {
                shard.Order.Remove(node);
                shard.Order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        Shard shard = _shards[key.GetHashCode() & 15];
        lock (shard.Lock)
        {
            if (shard.Map.TryGetValue(key, out LinkedListNode<(TKey Key, TValue Value)>? existing))
            {
                shard.Order.Remove(existing);
                shard.Map.Remove(key);
            }
            else if (shard.Map.Count >= shard.Capacity)
            {
                LinkedListNode<(TKey Key, TValue Value)> last = shard.Order.Last!;
                shard.Order.RemoveLast();
                shard.Map.Remove(last.Value.Key);
            }

            shard.Map[key] = shard.Order.AddFirst((key, value));
        }
    }

    private sealed class Shard
    {
        public Shard(int capacity)
        {
            Capacity = capacity;
            Map = new Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>>(capacity);
        }

        public object Lock { get; } = new();

        public int Capacity { get; }

        public Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> Map { get; }

        public LinkedList<(TKey Key, TValue Value)> Order { get; } = new();
    }
}
