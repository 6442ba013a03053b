namespace Realm.Server.Net.Reliability;

/// <summary>
/// What one side has received of the other's datagram sequence numbers: the newest, plus a bitfield of
/// the 64 before it. Both go back in the header of every outgoing datagram (<see cref="Ack"/>,
/// <see cref="AckBits"/>), so acks ride on traffic and a lost ack is repeated by the next datagram.
/// </summary>
/// <remarks>
/// Bit i of <see cref="AckBits"/> set means <c>Ack - 1 - i</c> was received. Owned by the logic thread; not thread-safe.
/// A mutable struct, kept as a (non-readonly) field of its peer: read on every datagram each way, it shares
/// the peer object's cache lines instead of being one more object to fetch.
/// </remarks>
internal struct ReceiveWindow
{
    /// <summary>How far behind the newest a datagram may be and still be told apart from a duplicate.</summary>
    public const int Span = 64;

    private bool _any;

    /// <summary>Newest sequence number received (meaningless until <see cref="HasReceived"/>).</summary>
    public ushort Ack { get; private set; }

    /// <summary>Which of the 64 sequence numbers before <see cref="Ack"/> were received.</summary>
    public ulong AckBits { get; private set; }

    public bool HasReceived => _any;

    /// <summary>
    /// Records <paramref name="sequence"/>. Returns <see cref="ReceiveResult.New"/> the first time,
    /// <see cref="ReceiveResult.Duplicate"/> when it was already recorded, and
    /// <see cref="ReceiveResult.TooOld"/> when it is more than <see cref="Span"/> behind the newest
    /// (it can no longer be told apart from a duplicate, so it is dropped).
    /// </summary>
    public ReceiveResult Record(ushort sequence)
    {
        if (!_any)
        {
            _any = true;
            Ack = sequence;
            AckBits = 0;
            return ReceiveResult.New;
        }

        int distance = SequenceNumber.Distance(Ack, sequence);
        if (distance > 0)
        {
            // Newer: the old newest becomes bit distance-1; everything shifts by distance.
            AckBits = distance > Span ? 0 : distance == Span ? 1UL << 63 : (AckBits << distance) | (1UL << (distance - 1));
            Ack = sequence;
            return ReceiveResult.New;
        }

        if (distance == 0)
        {
            return ReceiveResult.Duplicate;
        }

        int bit = -distance - 1;
        if (bit >= Span)
        {
            return ReceiveResult.TooOld;
        }

        ulong mask = 1UL << bit;
        if ((AckBits & mask) != 0)
        {
            return ReceiveResult.Duplicate;
        }

        AckBits |= mask;
        return ReceiveResult.New;
    }

    /// <summary>True when <paramref name="sequence"/> is recorded as received.</summary>
    public bool Contains(ushort sequence)
    {
        if (!_any)
        {
            return false;
        }

        int distance = SequenceNumber.Distance(Ack, sequence);
        if (distance == 0)
        {
            return true;
        }

        int bit = -distance - 1;
        return distance < 0 && bit < Span && (AckBits & (1UL << bit)) != 0;
    }
}
