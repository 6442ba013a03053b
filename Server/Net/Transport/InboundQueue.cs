using System.Net;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Single-producer, single-consumer ring of received datagrams from the receive thread to the logic
/// thread. Slots (a datagram buffer and a <see cref="SocketAddress"/>) are allocated once and reused; the
/// producer copies into the next free slot and publishes it with a release write of the tail, the consumer
/// reads it and releases it with a release write of the head. When full the producer drops (and counts) —
/// memory stays bounded under a flood.
/// </summary>
internal sealed class InboundQueue
{
    private readonly DatagramBuffer[] _slots;
    private readonly int _mask;
    private long _head; // next slot to consume; written by the consumer only
    private long _tail; // next slot to fill; written by the producer only

    public InboundQueue(int capacity, int datagramBytes, System.Net.Sockets.AddressFamily family)
    {
        _slots = new DatagramBuffer[capacity];
        _mask = capacity - 1;
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new DatagramBuffer(datagramBytes, family);
        }
    }

    /// <summary>Datagrams waiting (approximate when read by the producer).</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer: copies a datagram in; false when the queue is full.</summary>
    public bool TryEnqueue(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
        {
            return false;
        }

        _slots[tail & _mask].Set(datagram, from);
        Volatile.Write(ref _tail, tail + 1);
        return true;
    }

    /// <summary>Consumer: the oldest datagram, still in the queue until <see cref="Release"/>.</summary>
    public bool TryPeek(out DatagramBuffer slot)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            slot = null!;
            return false;
        }

        slot = _slots[head & _mask];
        return true;
    }

    /// <summary>Consumer: frees the slot returned by <see cref="TryPeek"/>.</summary>
    public void Release() => Volatile.Write(ref _head, _head + 1);
}
