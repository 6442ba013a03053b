using System.Diagnostics;
using System.Net;
using Realm.Server.Net.Fragmentation;
using Realm.Server.Net.Reliability;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Net.Transport;

/// <summary>
/// One connection of a <see cref="NetHost"/>: its send queues, reliability and congestion state, and
/// per-channel receive state. Every member is used on the host's logic thread (the one that calls
/// <c>Poll</c>, <c>Send</c> and <c>Flush</c>); nothing here is thread-safe, and nothing allocates
/// after the peer's queues have warmed up.
/// </summary>
/// <remarks>
/// Reliable messages (and fragments) sit in a ring of <see cref="NetHostOptions.SendQueueMessages"/>
/// entries until acknowledged; each data datagram records which of them it carried, so an ack releases
/// them and an inferred loss (<see cref="SendLog"/>: gap in the acks, or RTO) queues them for resending.
/// The congestion window follows NewReno (RFC 5681, RFC 9002 section 7) counted in datagrams: slow start
/// from <see cref="NetHostOptions.InitialCongestionWindow"/>, halving once per loss episode, never
/// below <see cref="NetHostOptions.MinCongestionWindow"/>, never above the datagrams-in-flight limit.
/// Only datagrams carrying new reliable data wait for the window; unreliable traffic is paced by the
/// application's tick.
/// </remarks>
internal sealed partial class NetPeer : Simulation.Sessions.ISessionLink
{
    /// <summary>Received data datagrams after which an ack goes out at once, before the receive window (64) could forget one unacknowledged.</summary>
    internal const int AckEvery = 32;

    private const int MethodChannels = 5 * MessageFrameWriter.Channels;

    private readonly NetHost _host;
    private readonly NetHostOptions _options;
    private readonly RttEstimator _rtt;
    private readonly SendLog _log;
    private ReceiveWindow _window; // a mutable struct: never readonly, never copied
    private readonly OutMessage[] _out;
    private readonly int _outMask;
    private readonly int[] _resend;
    private readonly int[] _carried;
    private readonly GroupSlot[] _groups;
    private readonly OutMessage[] _unreliable; // the queued unreliable messages after the first; only the payload fields are used
    private OutMessage _unreliableFirst;       // the first: a peer sent one message per flush keeps the array out of the cache
    private readonly int _unreliableCapacity;  // both together (the array's length is on the array's cold line)
    private readonly ushort[] _sendSequence = new ushort[MethodChannels];
    private readonly ReceiveChannel?[] _channels = new ReceiveChannel?[MethodChannels];
    private readonly long _keepAliveTicks;

    // Options read on every message, copied here: the options object is one more cache line per peer and
    // call (a load-test process has one per client host), these fields share lines with the peer's state.
    private readonly int _mtu;
    private readonly int _maxMessageBytes;
    private readonly int _singleMessageBytes;
    private readonly int _fragmentPayloadBytes;
    private readonly int _maxCongestionWindow;

    private int _outHead;
    private int _outTail;
    private int _nextNew;
    private int _resendHead;
    private int _resendTail;
    private long _carriedHead;          // a lower bound: moved up to the oldest in-flight datagram's first entry when the ring looks full
    private long _timeoutScanAt = long.MaxValue; // no datagram can time out before this (oldest in flight + MinRto): Flush skips the scan
    private readonly long _minRtoTicks;
    private long _carriedTail;
    private int _unreliableCount;
    private ushort _nextGroup;
    private bool _ackPending;
    private int _receivedSinceAck;
    private double _cwnd;
    private double _ssthresh = double.MaxValue;
    private bool _inRecovery;
    private ushort _recoveryEnd;
    private FragmentReassembler? _reliableParts;
    private FragmentReassembler? _unreliableParts;

    internal NetPeer(NetHost host, int id, SocketAddress address, ulong token, NetPeerState state, long now)
    {
        _host = host;
        _options = host.Options;
        Id = id;
        Address = address;
        AddressKey = PeerTable.TryKey(address, out long key) ? key : 0;
        Token = token;
        State = state;
        EndPoint = NetHost.ToEndPoint(address);
        LastReceived = now;
        LastSent = now;
        ConnectStarted = now;
        _rtt = new RttEstimator(_options.MinRto.TotalMilliseconds, _options.MaxRto.TotalMilliseconds, Math.Min(1000, _options.MaxRto.TotalMilliseconds));
        _log = new SendLog(_rtt, _options.MaxDatagramsInFlight);
        _out = new OutMessage[_options.SendQueueMessages];
        _outMask = _out.Length - 1;
        _resend = new int[_out.Length];
        _carried = new int[Math.Max(_out.Length, 4096)];
        _groups = new GroupSlot[_options.MaxFragmentedInFlight];
        _unreliable = new OutMessage[_options.UnreliableQueueMessages - 1];
        _unreliableCapacity = _options.UnreliableQueueMessages;
        _cwnd = _options.InitialCongestionWindow;
        _minRtoTicks = (long)(_options.MinRto.TotalSeconds * Stopwatch.Frequency);
        _keepAliveTicks = (long)(_options.KeepAliveInterval.TotalSeconds * Stopwatch.Frequency);
        _mtu = _options.Mtu;
        _maxMessageBytes = _options.MaxMessageBytes;
        _singleMessageBytes = _options.SingleMessageBytes;
        _fragmentPayloadBytes = _options.FragmentPayloadBytes;
        _maxCongestionWindow = _options.MaxDatagramsInFlight;
    }

    /// <summary>Unique per host for its lifetime.</summary>
    public int Id { get; }

    public NetPeerState State { get; internal set; }

    /// <summary>The remote address.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>This peer's traffic counters.</summary>
    public NetStatistics Statistics { get; } = new();

    /// <summary>Smoothed round-trip time in milliseconds (0 before the first sample).</summary>
    public double RoundTripMilliseconds => _rtt.SmoothedRtt;

    /// <summary>Current retransmission timeout in milliseconds.</summary>
    public double RetransmissionTimeoutMilliseconds => _rtt.Rto;

    /// <summary>Reliable messages (or fragments) queued or unacknowledged.</summary>
    public int SendQueueDepth => _outTail - _outHead;

    /// <summary>Unreliable messages waiting for the next flush.</summary>
    public int UnreliableQueueDepth => _unreliableCount;

    /// <summary>Data datagrams sent and not yet acknowledged or taken as lost.</summary>
    public int DatagramsInFlight => _log.InFlight;

    /// <summary>Congestion window, in datagrams.</summary>
    public int CongestionWindow => (int)_cwnd;

    /// <summary>Application state for this peer (e.g. its session); the transport never reads it.</summary>
    public object? Tag { get; set; }

    internal SocketAddress Address { get; }

    /// <summary>The IPv4 address as <see cref="PeerTable"/>'s 64-bit key (0 for IPv6), compared on receive instead of <see cref="Address"/>.</summary>
    internal long AddressKey { get; }

    /// <summary>The client's random connection token: echoed in the handshake and in disconnects.</summary>
    internal ulong Token { get; }

    internal long LastReceived { get; set; }

    internal long LastSent { get; set; }

    internal long ConnectStarted { get; }

    internal long LastConnectAttempt { get; set; }

    internal byte[]? ConnectData { get; set; }

    internal byte[]? Cookie { get; set; }

    internal int ListIndex { get; set; }

    /// <summary>In the host's list of peers with output for the next flush.</summary>
    internal bool IsDirty { get; set; }

    /// <summary>The next peer in the host's dirty list (see <see cref="IsDirty"/>).</summary>
    internal NetPeer? NextDirty { get; set; }

    internal bool HasOutput => _ackPending || _unreliableCount > 0 || _resendHead != _resendTail || _nextNew != _outTail;

    /// <summary>
    /// Queues a message; it leaves with the next <see cref="NetHost.Flush"/>, merged with others into as
    /// few datagrams as possible, and split into fragments when larger than one datagram can carry.
    /// </summary>
    /// <param name="payload">Copied; the caller may reuse it at once.</param>
    /// <param name="method">How it is delivered.</param>
    /// <param name="channel">0 to 7; ordering and sequencing are per method and channel.</param>
    /// <returns>A status; a full queue is reported, never grown.</returns>
    public SendResult Send(ReadOnlySpan<byte> payload, DeliveryMethod method = DeliveryMethod.ReliableOrdered, byte channel = 0)
    {
        if (channel >= MessageFrameWriter.Channels || (byte)method > (byte)DeliveryMethod.ReliableSequenced)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(channel), $"method {method} on channel {channel}: there are {MessageFrameWriter.Channels} channels and five methods");
        }

        if (State != NetPeerState.Connected)
        {
            return SendResult.NotConnected;
        }

        if (payload.Length > _maxMessageBytes)
        {
            return SendResult.TooLarge;
        }

        int pieceBytes = _fragmentPayloadBytes;
        int count = payload.Length <= _singleMessageBytes ? 1 : (payload.Length + pieceBytes - 1) / pieceBytes;
        int chunk = count == 1 ? payload.Length : (payload.Length + count - 1) / count;
        int mc = ((int)method * MessageFrameWriter.Channels) + channel;
        ushort group = count == 1 ? (ushort)0 : _nextGroup;
        bool reliable = method >= DeliveryMethod.ReliableUnordered;
        if (reliable ? _outTail - _outHead + count > _outMask + 1 : _unreliableCount + count > _unreliableCapacity)
        {
            return SendResult.QueueFull;
        }

        if (count > 1)
        {
            _nextGroup++;
        }

        // A sequenced message's fragments share its sequence number; ordered and unordered ones number every piece.
        bool oneSequence = method is DeliveryMethod.UnreliableSequenced or DeliveryMethod.ReliableSequenced;
        ushort sequence = 0; // Unreliable frames carry none
        if (method != DeliveryMethod.Unreliable)
        {
            sequence = _sendSequence[mc];
            _sendSequence[mc] = (ushort)(sequence + (oneSequence ? 1 : count));
        }
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> piece = payload.Slice(i * chunk, Math.Min(chunk, payload.Length - (i * chunk)));
            byte[] block = _host.Blocks.Rent(piece.Length);
            piece.CopyTo(block);
            var fragment = count == 1 ? default : new FragmentInfo(group, count, i, payload.Length);
            ushort pieceSequence = oneSequence ? sequence : (ushort)(sequence + i);
            var entry = new OutMessage
            {
                Buffer = block,
                Length = piece.Length,
                Method = method,
                Channel = channel,
                Sequence = pieceSequence,
                Fragment = fragment,
                State = OutState.Queued,
            };
            if (reliable)
            {
                entry.Index = _outTail++;
                _out[entry.Index & _outMask] = entry;
            }
            else
            {
                UnreliableAt(_unreliableCount++) = entry;
            }
        }

        Statistics.MessagesSentField++;
        _host.Statistics.MessagesSentField++;
        _host.MarkDirty(this);
        return SendResult.Queued;
    }

    /// <summary>Disconnects gracefully: the other side gets <see cref="DisconnectReason.RemoteDisconnect"/> with <paramref name="data"/>.</summary>
    /// <param name="data">Reason for the other side (trimmed to fit one datagram).</param>
    public void Disconnect(ReadOnlySpan<byte> data = default) => _host.DisconnectPeer(this, DisconnectReason.LocalDisconnect, data, notifyRemote: true);

    /// <summary>Builds and sends this peer's datagrams: resends, new reliable messages within the window, unreliable ones, and acks.</summary>
    internal void Flush(long now, Span<byte> scratch)
    {
        if (State != NetPeerState.Connected)
        {
            return;
        }

        var listener = new LogListener(this);
        if (now >= _timeoutScanAt)
        {
            // The RTO is never below MinRto (RttEstimator), so until the oldest datagram in flight is MinRto old
            // none can have timed out, and the scan, the RTT estimator and the log's oldest entry stay untouched.
            _log.DetectTimeouts(now, ref listener);
            _timeoutScanAt = _log.InFlight == 0 ? long.MaxValue : _log.SentAtOf(_log.OldestInFlight) + _minRtoTicks;
        }

        bool keepAlive = now - LastSent >= _keepAliveTicks;
        int unreliableNext = 0;
        int mtu = _mtu;
        while (true)
        {
            bool canNew = _log.InFlight < (int)_cwnd && _nextNew != _outTail;
            bool want = keepAlive || unreliableNext < _unreliableCount || _resendHead != _resendTail || canNew;
            if (!want || !_log.CanAdd)
            {
                break;
            }

            ushort sequence = _log.NextSequence;
            var writer = new PacketWriter(scratch[..mtu], mtu);
            new DataHeader(sequence, AckValue, _window.AckBits).Write(ref writer);
            int headerBytes = writer.Length;
            var frames = default(MessageFrameWriter);
            long carriedStart = _carriedTail;
            bool full = false;

            while (!full && _resendHead != _resendTail)
            {
                int index = _resend[_resendHead & _outMask];
                ref OutMessage m = ref _out[index & _outMask];
                if (m.Index != index || m.State != OutState.ResendQueued)
                {
                    _resendHead++;
                    continue;
                }

                if (!TryCarry(ref writer, ref frames, ref m, index, sequence))
                {
                    full = true;
                    break;
                }

                _resendHead++;
                Statistics.ResendsField++;
                _host.Statistics.ResendsField++;
            }

            while (!full && canNew && _nextNew != _outTail)
            {
                int index = _nextNew;
                ref OutMessage m = ref _out[index & _outMask];
                if (m.State != OutState.Queued)
                {
                    _nextNew++;
                    continue;
                }

                if (IsSuperseded(ref m))
                {
                    Release(ref m, OutState.Dropped);
                    _nextNew++;
                    continue;
                }

                if (m.Fragment.IsFragment && !TryReserveGroup(m.Fragment.Group, m.Fragment.Count))
                {
                    break; // the receiver's reassembly budget is spoken for; wait for acks
                }

                if (!TryCarry(ref writer, ref frames, ref m, index, sequence))
                {
                    full = true;
                    break;
                }

                _nextNew++;
            }

            while (!full && unreliableNext < _unreliableCount)
            {
                ref OutMessage u = ref UnreliableAt(unreliableNext);
                ReadOnlySpan<byte> payload = u.Buffer.AsSpan(0, u.Length);
                int need = u.Fragment.IsFragment ? MessageFrameWriter.MaxFragmentOverhead(u.Length) : MessageFrameWriter.MaxOverhead(u.Length);
                if (writer.Length + need + u.Length > mtu)
                {
                    full = writer.Length > headerBytes;
                    if (!full)
                    {
                        ThrowHelper.ThrowInvalidOperation("an unreliable message does not fit an empty datagram");
                    }

                    break;
                }

                WriteFrame(ref writer, ref frames, u.Method, u.Channel, u.Sequence, u.Fragment, payload);
                _host.Blocks.Return(u.Buffer);
                u = default;
                unreliableNext++;
            }

            if (writer.Length == headerBytes && !keepAlive)
            {
                break; // nothing could be added (window or group limit): send nothing
            }

            if (!_log.TryAdd(now, CarriedToken(carriedStart, (int)(_carriedTail - carriedStart)), out ushort assigned) || assigned != sequence)
            {
                ThrowHelper.ThrowInvalidOperation("send log refused a datagram it said it could take");
            }

            _timeoutScanAt = Math.Min(_timeoutScanAt, now + _minRtoTicks);
            keepAlive = false;
            _ackPending = false;
            _receivedSinceAck = 0;
            LastSent = now;
            _host.SendDatagram(writer.Written, this, now);
        }

        // Unreliable messages that found no room (every datagram slot in flight) are dropped, as the method allows.
        for (int i = unreliableNext; i < _unreliableCount; i++)
        {
            ref OutMessage u = ref UnreliableAt(i);
            _host.Blocks.Return(u.Buffer);
            u = default;
            Statistics.SendDroppedField++;
            _host.Statistics.SendDroppedField++;
        }

        _unreliableCount = 0;
        if (_ackPending)
        {
            SendAck(now, scratch);
        }
    }

    /// <summary>Returns every pooled buffer; the peer is dead.</summary>
    internal void ReleaseAll()
    {
        for (int i = _outHead; i != _outTail; i++)
        {
            ref OutMessage m = ref _out[i & _outMask];
            if (m.Buffer is not null)
            {
                _host.Blocks.Return(m.Buffer);
            }

            m = default;
        }

        _outHead = _outTail = _nextNew = 0;
        _resendHead = _resendTail = 0;
        for (int i = 0; i < _unreliableCount; i++)
        {
            ref OutMessage u = ref UnreliableAt(i);
            _host.Blocks.Return(u.Buffer);
            u = default;
        }

        _unreliableCount = 0;
        foreach (ReceiveChannel? channel in _channels)
        {
            channel?.ReleaseAll(_host.Blocks);
        }

        _reliableParts?.Dispose();
        _unreliableParts?.Dispose();
    }

    private ushort AckValue => _window.HasReceived ? _window.Ack : ushort.MaxValue; // nothing received: acks nothing we could have sent

    private void SendAck(long now, Span<byte> scratch)
    {
        var writer = new PacketWriter(scratch[..AckHeader.MaxBytes], AckHeader.MaxBytes);
        new AckHeader(AckValue, _window.AckBits).Write(ref writer);
        _ackPending = false;
        _receivedSinceAck = 0;
        Statistics.AcksSentField++;
        _host.Statistics.AcksSentField++;
        _host.SendDatagram(writer.Written, this, now);
    }

    private bool TryCarry(ref PacketWriter writer, ref MessageFrameWriter frames, ref OutMessage m, int index, ushort datagram)
    {
        int need = m.Fragment.IsFragment ? MessageFrameWriter.MaxFragmentOverhead(m.Length) : MessageFrameWriter.MaxOverhead(m.Length);
        if (writer.Length + need + m.Length > _mtu)
        {
            return false;
        }

        if (_carriedTail - _carriedHead >= _carried.Length)
        {
            UpdateCarriedHead(); // only now: finding the oldest in-flight datagram's entries touches the log's oldest slot
            if (_carriedTail - _carriedHead >= _carried.Length)
            {
                return false;
            }
        }

        WriteFrame(ref writer, ref frames, m.Method, m.Channel, m.Sequence, m.Fragment, m.Buffer.AsSpan(0, m.Length));
        m.State = OutState.InFlight;
        m.LastDatagram = datagram;
        _carried[_carriedTail++ & (_carried.Length - 1)] = index;
        return true;
    }

    private static void WriteFrame(ref PacketWriter writer, ref MessageFrameWriter frames, DeliveryMethod method, byte channel, ushort sequence, FragmentInfo fragment, ReadOnlySpan<byte> payload)
    {
        if (fragment.IsFragment)
        {
            frames.WriteFragment(ref writer, method, channel, sequence, fragment, payload);
        }
        else
        {
            frames.Write(ref writer, method, channel, sequence, payload);
        }
    }

    /// <summary>Queued unreliable message <paramref name="i"/> (0 is the one kept in the peer).</summary>
    private ref OutMessage UnreliableAt(int i) => ref i == 0 ? ref _unreliableFirst : ref _unreliable[i - 1];

    /// <summary>A whole ReliableSequenced message with a newer one queued after it is not worth sending.</summary>
    private bool IsSuperseded(ref OutMessage m) =>
        m.Method == DeliveryMethod.ReliableSequenced && !m.Fragment.IsFragment
        && m.Sequence != (ushort)(_sendSequence[((int)m.Method * MessageFrameWriter.Channels) + m.Channel] - 1);

    /// <summary>
    /// A fragmented message holds a slot from its first piece sent until every piece is acknowledged, so
    /// the receiver never has more than <see cref="NetHostOptions.MaxFragmentedInFlight"/> reliable
    /// messages in pieces: its reassembly memory is bounded and no reliable fragment is refused.
    /// </summary>
    private bool TryReserveGroup(ushort group, int pieces)
    {
        int free = -1;
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_groups[i].Pieces > 0 && _groups[i].Group == group)
            {
                return true;
            }

            if (_groups[i].Pieces == 0 && free < 0)
            {
                free = i;
            }
        }

        if (free < 0)
        {
            return false;
        }

        _groups[free] = new GroupSlot { Group = group, Pieces = pieces };
        return true;
    }

    private enum OutState : byte
    {
        Free,
        Queued,
        InFlight,
        ResendQueued,
        Acked,
        Dropped,
    }

    private struct OutMessage
    {
        public int Index;
        public byte[] Buffer;
        public int Length;
        public DeliveryMethod Method;
        public byte Channel;
        public ushort Sequence;
        public ushort LastDatagram;
        public OutState State;
        public FragmentInfo Fragment;
    }

    private struct GroupSlot
    {
        public ushort Group;
        public int Pieces;
    }

    private readonly struct LogListener : ISendLogListener
    {
        private readonly NetPeer _peer;

        public LogListener(NetPeer peer) => _peer = peer;

        public void OnDelivered(ushort sequence, long token) => _peer.OnDatagramDelivered(sequence, token);

        public void OnLost(ushort sequence, long token, LossReason reason) => _peer.OnDatagramLost(sequence, token, reason);
    }
}
