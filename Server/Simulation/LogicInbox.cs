namespace Realm.Server.Simulation;

/// <summary>
/// Bounded many-producer, single-consumer queue into the logic thread: data-tier results and other
/// cross-thread work are posted here and drained at the start of each tick, so game code needs no locks
/// and the logic thread never waits on I/O.
/// </summary>
/// <remarks>
/// Dmitry Vyukov's bounded MPMC ring ("Bounded MPMC queue", 1024cores.net), used with one consumer: every
/// slot carries a sequence number that says whose turn it is, so producers claim slots with one CAS on the
/// tail and nobody blocks. Slots are allocated once; posting and draining do not allocate.
/// When full, <see cref="TryPost"/> returns false and the producer decides (retry, or report): nothing is
/// dropped silently.
/// </remarks>
internal sealed class LogicInbox<T>
    where T : struct
{
    private readonly Slot[] _slots;
    private readonly long _mask;
    private long _tail; // next position to claim; producers CAS it
    private long _head; // next position to read; the consumer only

    /// <param name="capacity">A power of two.</param>
    public LogicInbox(int capacity)
    {
        if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), $"inbox capacity {capacity} must be a power of two of at least 2");
        }

        _slots = new Slot[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < capacity; i++)
        {
            _slots[i].Sequence = i;
        }
    }

    /// <summary>Items waiting (approximate while producers post).</summary>
    public int Count => (int)Math.Max(0, Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Any thread: queues <paramref name="item"/>; false when the inbox is full.</summary>
    public bool TryPost(in T item)
    {
        long position = Volatile.Read(ref _tail);
        while (true)
        {
            ref Slot slot = ref _slots[position & _mask];
            long sequence = Volatile.Read(ref slot.Sequence);
            long turn = sequence - position;
            if (turn == 0)
            {
                // Our turn for this slot if no other producer claimed the position first.
                long seen = Interlocked.CompareExchange(ref _tail, position + 1, position);
                if (seen == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1); // release: the item is visible before the consumer sees the turn
                    return true;
                }

                position = seen;
            }
            else if (turn < 0)
            {
                return false; // the consumer has not freed this slot yet: full
            }
            else
            {
                position = Volatile.Read(ref _tail); // another producer moved on; catch up
            }
        }
    }

    /// <summary>Logic thread only: takes the oldest item; false when empty.</summary>
    public bool TryTake(out T item)
    {
        ref Slot slot = ref _slots[_head & _mask];
        if (Volatile.Read(ref slot.Sequence) != _head + 1)
        {
            item = default;
            return false; // empty, or a producer claimed the slot and is still writing it
        }

        item = slot.Item;
        slot.Item = default; // drop references so posted objects can be collected
        Volatile.Write(ref slot.Sequence, _head + _slots.Length); // free for the producer one lap ahead
        Volatile.Write(ref _head, _head + 1);
        return true;
    }

    private struct Slot
    {
        public long Sequence;
        public T Item;
    }
}
