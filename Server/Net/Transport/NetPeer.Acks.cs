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
}
