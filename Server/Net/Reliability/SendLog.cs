using System.Diagnostics;

namespace Realm.Server.Net.Reliability;

/// <summary>
/// The sender's record of datagrams in flight: assigns sequence numbers, turns the peer's
/// ack + bitfield (<see cref="ReceiveWindow"/>) into delivered and lost datagrams, and feeds RTT samples
/// to an <see cref="RttEstimator"/>. Loss is inferred as in QUIC (RFC 9002, section 6.1): a datagram is
/// lost once <see cref="PacketThreshold"/> later ones are acknowledged, or once a later one is
/// acknowledged and it is older than 9/8 × max(SRTT, latest RTT); with no acknowledgement at all it
/// is lost after the RTO (<see cref="DetectTimeouts{TListener}"/>). Resending on inferred loss, not only
/// on timeout, is what keeps recovery near one RTT.
/// </summary>
/// <remarks>
/// At most <see cref="Capacity"/> datagrams are in flight; <see cref="TryAdd"/> reports a full log so the
/// caller holds back (flow control) instead of reusing a slot. Owned by the logic thread; not thread-safe.
/// No allocation after construction. Times are <see cref="Stopwatch"/> ticks.
/// </remarks>
internal sealed class SendLog
{
    /// <summary>Later datagrams that must be acknowledged before a gap counts as loss (RFC 9002 kPacketThreshold).</summary>
    public const int PacketThreshold = 3;

    private readonly Entry[] _entries;
    private readonly int _mask;
    private readonly RttEstimator _rtt;
    private ushort _next;
    private ushort _oldest;
    private int _inFlight;
    private bool _anyAcked;
    private ushort _largestAcked;

    /// <param name="rtt">Receives RTT samples and supplies the RTO.</param>
    /// <param name="capacity">Datagrams in flight at most; a power of two from 64 to 16,384 (default 1,024).</param>
    public SendLog(RttEstimator rtt, int capacity = 1024)
    {
        if (capacity < 64 || capacity > 16_384 || (capacity & (capacity - 1)) != 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(capacity), $"capacity {capacity} must be a power of two from 64 to 16384");
        }

        _rtt = rtt;
        _entries = new Entry[capacity];
        _mask = capacity - 1;
    }

    public int Capacity => _entries.Length;

    /// <summary>Datagrams sent and neither acknowledged nor declared lost.</summary>
    public int InFlight => _inFlight;

    /// <summary>True when <see cref="TryAdd"/> would succeed now.</summary>
    public bool CanAdd => _inFlight == 0 || (_inFlight < _entries.Length && SequenceNumber.Distance(_oldest, _next) < _entries.Length);

    /// <summary>The oldest datagram still in flight (equal to <see cref="NextSequence"/> when none is).</summary>
    public ushort OldestInFlight => _inFlight == 0 ? _next : _oldest;

    /// <summary>The token of <paramref name="sequence"/>, in flight or the latest datagram that had its ring slot.</summary>
    public long TokenOf(ushort sequence) => _entries[sequence & _mask].Token;

    /// <summary>When datagram <paramref name="sequence"/> (in flight) was sent, in <see cref="Stopwatch"/> ticks.</summary>
    public long SentAtOf(ushort sequence) => _entries[sequence & _mask].SentAt;

    /// <summary>The sequence number the next <see cref="TryAdd"/> will assign.</summary>
    public ushort NextSequence => _next;

    /// <summary>
    /// Assigns the next sequence number to a datagram sent at <paramref name="now"/>. Returns false, and
    /// assigns nothing, when <see cref="Capacity"/> datagrams are already in flight.
    /// </summary>
    /// <param name="now">Send time, in <see cref="Stopwatch"/> ticks.</param>
    /// <param name="token">The caller's record of what the datagram carries, returned in the listener calls and by
    /// <see cref="TokenOf"/>: kept in the log's own slot, so the caller needs no ring of its own beside it.</param>
    /// <param name="sequence">The assigned sequence number, to write into the datagram's header.</param>
    public bool TryAdd(long now, long token, out ushort sequence)
    {
        if (_inFlight == 0)
        {
            _oldest = _next;
        }

        // The ring slot of _next is free only while the oldest in-flight datagram is less than a full
        // ring behind; otherwise the caller must wait for acks (this is the flow-control push-back).
        if (_inFlight == _entries.Length || SequenceNumber.Distance(_oldest, _next) >= _entries.Length)
        {
            sequence = 0;
            return false;
        }

        _entries[_next & _mask] = new Entry { InFlight = true, SentAt = now, Token = token };
        sequence = _next++;
        _inFlight++;
        return true;
    }

    /// <summary>
    /// Applies an acknowledgement from the peer: every in-flight datagram it covers is delivered, then
    /// loss is inferred for older ones. Acks for sequence numbers not in flight (duplicates, stale) are ignored.
    /// </summary>
    public void OnAck<TListener>(ushort ack, ulong ackBits, long now, ref TListener listener)
        where TListener : struct, ISendLogListener
    {
        if (_inFlight == 0 || !IsTracked(ack))
        {
            return;
        }

        // RTT sample only when the newest acknowledged datagram is newly acknowledged (RFC 9002 5.1).
        ref Entry newest = ref _entries[ack & _mask];
        if (newest.InFlight)
        {
            _rtt.AddSample(Stopwatch.GetElapsedTime(newest.SentAt, now).TotalMilliseconds);
        }

        Deliver(ack, ref listener);
        ulong bits = ackBits;
        while (bits != 0)
        {
            int bit = System.Numerics.BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            ushort sequence = (ushort)(ack - 1 - bit);
            if (IsTracked(sequence))
            {
                Deliver(sequence, ref listener);
            }
        }

        if (!_anyAcked || SequenceNumber.IsNewer(ack, _largestAcked))
        {
            _largestAcked = ack;
            _anyAcked = true;
        }

        DetectLoss(now, ref listener);
    }

    /// <summary>
    /// Declares lost every in-flight datagram unacknowledged for longer than the RTO, and backs the RTO off
    /// once if any was. Call once per pump.
    /// </summary>
    public void DetectTimeouts<TListener>(long now, ref TListener listener)
        where TListener : struct, ISendLogListener
    {
        long rtoTicks = (long)(_rtt.Rto * Stopwatch.Frequency / 1000.0);
        bool any = false;
        for (ushort s = _oldest; _inFlight > 0 && s != _next; s++)
        {
            ref Entry entry = ref _entries[s & _mask];
            if (!entry.InFlight)
            {
                continue;
            }

            if (now - entry.SentAt < rtoTicks)
            {
                break; // sequence order is send order: every later datagram was sent later, so none has timed out
            }

            Lose(s, ref entry, LossReason.Timeout, ref listener);
            any = true;
        }

        if (any)
        {
            _rtt.OnTimeout();
        }

        AdvanceOldest();
    }

    private void DetectLoss<TListener>(long now, ref TListener listener)
        where TListener : struct, ISendLogListener
    {
        double threshold = 9.0 / 8.0 * Math.Max(_rtt.SmoothedRtt, _rtt.LatestRtt);
        long thresholdTicks = (long)(threshold * Stopwatch.Frequency / 1000.0);
        for (ushort s = _oldest; _inFlight > 0 && SequenceNumber.IsNewer(_largestAcked, s); s++)
        {
            ref Entry entry = ref _entries[s & _mask];
            if (!entry.InFlight)
            {
                continue;
            }

            if (SequenceNumber.Distance(s, _largestAcked) >= PacketThreshold)
            {
                Lose(s, ref entry, LossReason.PacketThreshold, ref listener);
            }
            else if (now - entry.SentAt >= thresholdTicks)
            {
                Lose(s, ref entry, LossReason.TimeThreshold, ref listener);
            }
        }

        AdvanceOldest();
    }

    private void Deliver<TListener>(ushort sequence, ref TListener listener)
        where TListener : struct, ISendLogListener
    {
        ref Entry entry = ref _entries[sequence & _mask];
        if (!entry.InFlight)
        {
            return;
        }

        entry.InFlight = false;
        _inFlight--;
        listener.OnDelivered(sequence, entry.Token);
    }

    private void Lose<TListener>(ushort sequence, ref Entry entry, LossReason reason, ref TListener listener)
        where TListener : struct, ISendLogListener
    {
        entry.InFlight = false;
        _inFlight--;
        listener.OnLost(sequence, entry.Token, reason);
    }

    /// <summary>True when <paramref name="sequence"/> lies between the oldest tracked and the newest sent.</summary>
    private bool IsTracked(ushort sequence)
    {
        int fromOldest = SequenceNumber.Distance(_oldest, sequence);
        return fromOldest >= 0 && SequenceNumber.IsNewer(_next, sequence);
    }

    private void AdvanceOldest()
    {
        while (_oldest != _next && !_entries[_oldest & _mask].InFlight)
        {
            _oldest++;
        }
    }

    private struct Entry
    {
        public bool InFlight;
        public long SentAt;
        public long Token;
    }
}
