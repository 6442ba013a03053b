using Realm.Server.Net.Reliability;

namespace Realm.Server.Net.Transport;

/// <summary>What an acknowledged or lost datagram does to <see cref="NetPeer"/>'s queue and congestion window.</summary>
internal sealed partial class NetPeer
{
    private void OnDatagramDelivered(ushort sequence, long token)
    {
        Statistics.DatagramsAckedField++;
        _host.Statistics.DatagramsAckedField++;
        long start = CarriedStart(token);
        for (long i = start; i < start + CarriedCount(token); i++)
        {
            int index = _carried[i & (_carried.Length - 1)];
            ref OutMessage m = ref _out[index & _outMask];
            if (m.Index == index && m.State is OutState.InFlight or OutState.ResendQueued)
            {
                Release(ref m, OutState.Acked);
            }
        }

        AdvanceHead();

        // NewReno growth: slow start below ssthresh, then about one datagram per window of acks.
        if (_inRecovery && SequenceNumber.IsNewer(sequence, _recoveryEnd))
        {
            _inRecovery = false;
        }

        _cwnd = Math.Min(_cwnd < _ssthresh ? _cwnd + 1 : _cwnd + (1 / _cwnd), _maxCongestionWindow);
    }

    private void OnDatagramLost(ushort sequence, long token, LossReason reason)
    {
        Statistics.DatagramsLostField++;
        _host.Statistics.DatagramsLostField++;
        if (!_inRecovery || SequenceNumber.IsNewer(sequence, _recoveryEnd))
        {
            // One reduction per loss episode: losses of datagrams sent before it began do not count again.
            _inRecovery = true;
            _recoveryEnd = (ushort)(_log.NextSequence - 1);
            _ssthresh = Math.Max(_cwnd / 2, _options.MinCongestionWindow);
            _cwnd = reason == LossReason.Timeout ? _options.MinCongestionWindow : _ssthresh;
        }

        long start = CarriedStart(token);
        for (long i = start; i < start + CarriedCount(token); i++)
        {
            int index = _carried[i & (_carried.Length - 1)];
            ref OutMessage m = ref _out[index & _outMask];
            if (m.Index != index || m.State != OutState.InFlight || m.LastDatagram != sequence)
            {
                continue;
            }

            if (IsSuperseded(ref m))
            {
                Release(ref m, OutState.Dropped);
                continue;
            }

            m.State = OutState.ResendQueued;
            _resend[_resendTail++ & _outMask] = index;
        }

        AdvanceHead();
    }

    private void ApplyAck(ushort ack, ulong ackBits, long now)
    {
        var listener = new LogListener(this);
        _log.OnAck(ack, ackBits, now, ref listener);
        UpdateCarriedHead();
    }

    private void UpdateCarriedHead() =>
        _carriedHead = _log.InFlight == 0 ? _carriedTail : CarriedStart(_log.TokenOf(_log.OldestInFlight));

    // What a datagram carried, as its send-log token: the index of its first entry in _carried (48 bits: more
    // messages than a peer sends in years) and how many entries follow (16 bits: a datagram of at most
    // 65,535 bytes carries fewer frames). One slot for both, so a datagram's record is the log entry already fetched.
    private static long CarriedToken(long start, int count) => (start << 16) | (ushort)count;

    private static long CarriedStart(long token) => token >>> 16;

    private static int CarriedCount(long token) => (int)(token & 0xFFFF);

    private void PieceAcked(ushort group)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_groups[i].Pieces > 0 && _groups[i].Group == group)
            {
                _groups[i].Pieces--;
                return;
            }
        }
    }

    private void Release(ref OutMessage m, OutState state)
    {
        if (m.Buffer is not null)
        {
            _host.Blocks.Return(m.Buffer);
            m.Buffer = null!;
        }

        if (m.Fragment.IsFragment && state == OutState.Acked)
        {
            PieceAcked(m.Fragment.Group);
        }

        m.State = state;
    }

    private void AdvanceHead()
    {
        while (_outHead != _nextNew)
        {
            ref OutMessage m = ref _out[_outHead & _outMask];
            if (m.State is not (OutState.Acked or OutState.Dropped))
            {
                return;
            }

            m = default;
            _outHead++;
        }
    }
}
