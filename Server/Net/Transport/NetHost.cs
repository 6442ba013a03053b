using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Handshake;
using Realm.Server.Net.Native;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Realm's reliable-UDP endpoint, as a server (<see cref="StartServer"/>: accepts connections) or a client
/// (<see cref="StartClient"/> then <see cref="Connect"/>). One socket, IPv4 or dual-stack IPv6; one
/// receive thread (or none: see <see cref="NetHostOptions.ReceiveThread"/>); everything else happens on
/// the thread that calls <see cref="Poll{TListener}(ref TListener, TimeSpan)"/>, <see cref="NetPeer.Send"/>
/// and <see cref="Flush"/> — the logic thread. Events reach the application only from <c>Poll</c>.
/// </summary>
/// <remarks>
/// Handshake (stateless for the server until the client proves its address):
/// <list type="number">
/// <item>client → ConnectRequest: kind, protocol id, 64-bit nonce, zero padding to <see cref="ConnectRequestBytes"/>.</item>
/// <item>server → Challenge: kind, nonce, 16-byte cookie (<see cref="ConnectCookies"/>) — smaller than the request; the server keeps nothing.</item>
/// <item>client → ConnectResponse: kind, protocol id, nonce, cookie, application data, padded to <see cref="ConnectResponseBytes"/>.</item>
/// <item>server → Accept (kind, nonce) or Reject (kind, nonce, code, reason) — trimmed to the response's size; only now is a peer created.</item>
/// </list>
/// Data datagrams: <see cref="DataHeader"/> then messages (<see cref="MessageFrameWriter"/>); ack-only
/// datagrams: <see cref="AckHeader"/>; Disconnect: kind, nonce, reason bytes (sent twice).
/// </remarks>
internal sealed partial class NetHost : IDisposable, IDatagramSink
{
    /// <summary>Connect requests are padded to this size so the challenge (25 bytes) is never larger.</summary>
    public const int ConnectRequestBytes = 32;

    /// <summary>Connect responses are padded to this size so a reject with a short reason fits in the reply.</summary>
    public const int ConnectResponseBytes = 128;

    private const int ChallengeBytes = 1 + 8 + ConnectCookies.CookieBytes;
    private const int MaxInlineDatagramsPerPoll = 4096;

    private readonly PeerTable _peers = new();
    private readonly List<NetPeer> _peerList = new();
    private readonly List<PendingDisconnect> _pendingDisconnects = new();
    private readonly ConnectCookies _cookies = new();
    private readonly ConnectRateLimiter _rateLimiter;
    private readonly int _scratchBytes;
    private readonly int _mtu;
    private readonly long _timeoutTicks;
    private readonly long _retryTicks;
    private readonly long _connectTimeoutTicks;
    private readonly ManualResetEventSlim _signal = new(false);
    private Socket? _socket;
    private SafeSocketHandle? _socketHandle;
    private int _descriptor = -1; // the socket's, for the batch calls: _socketHandle stays referenced from start to dispose
    private InboundQueue? _queue;
    private DatagramReceiver? _receiver;
    private NetConditioner? _conditioner;
    private readonly ulong[] _closedTokens = new ulong[256]; // tokens of the latest closed peers, for late disconnects
    private long _closedCount;
    private NetPeer? _lastSender;
    private NetPeer? _onlyPeer;   // the peer when there is exactly one (a ConnectSocket client's server), else null
    private NetPeer? _dirtyHead;  // peers with output for the next flush, linked through NetPeer.NextDirty in the order
    private NetPeer? _dirtyTail;  // they got it: no list object or array of their own to miss in the cache
    private bool _batchedSend;     // sendmmsg through this thread's send batch (ThreadIo)
    private bool _batchedReceive;  // recvmmsg into a batch of this thread's (ThreadIo)
    private byte[]? _inlineBuffer;
    private SocketAddress? _inlineFrom;
    private bool _socketConnected; // ConnectSocket: the socket is connect()ed to the one server
    private int _consumerWaiting;
    private long _lastTimerScan;
    private long _lastFlushScan;
    private int _nextPeerId;
    private bool _accepting;
    private bool _disposed;

    public NetHost(NetHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Options = options;
        _mtu = options.Mtu;
        _rateLimiter = new ConnectRateLimiter(options.MaxConnectAttemptsPerSecond);
        _scratchBytes = Math.Max(options.Mtu, ConnectResponseBytes);
        _timeoutTicks = Ticks(options.DisconnectTimeout);
        _retryTicks = Ticks(options.ConnectRetryInterval);
        _connectTimeoutTicks = Ticks(options.ConnectTimeout);
    }

    /// <summary>A host dropped without <see cref="Dispose"/>: gives the socket handle back its reference, so that it can close.</summary>
    ~NetHost()
    {
        if (_descriptor >= 0)
        {
            _socketHandle!.DangerousRelease();
        }
    }

    public NetHostOptions Options { get; }

    /// <summary>Totals over all peers, and drops by reason.</summary>
    public NetHostStatistics Statistics { get; } = new();

    /// <summary>The bound endpoint (after start).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Socket receive buffer the kernel granted, in bytes (compare with <see cref="NetHostOptions.SocketBufferBytes"/>).</summary>
    public int ReceiveBufferBytes { get; private set; }

    /// <summary>Socket send buffer the kernel granted, in bytes.</summary>
    public int SendBufferBytes { get; private set; }

    /// <summary>Connected and connecting peers. Read on the logic thread only.</summary>
    public IReadOnlyList<NetPeer> Peers => _peerList;

    /// <summary>Datagrams waiting for the logic thread (receive-thread mode).</summary>
    public int InboundQueueLength => _queue?.Count ?? 0;

    /// <summary>The conditioner, when <see cref="NetHostOptions.Conditioner"/> enables it.</summary>
    public NetConditioner? Conditioner => _conditioner;

    /// <summary>This thread's pool for this host's MTU (<see cref="ThreadIo"/>).</summary>
    internal BlockPool Blocks => ThreadIo.Current.Blocks(_mtu);

    /// <summary>This thread's buffer to build a datagram in, valid until it is sent (<see cref="ThreadIo"/>).</summary>
    private byte[] Scratch => ThreadIo.Current.Scratch(_scratchBytes);

    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> (port 0: any free port) and accepts connections.</summary>
    /// <returns>False with a message naming the endpoint when the socket cannot be bound.</returns>
    public bool StartServer(IPAddress address, int port, out string? error) => Start(address, port, accept: true, out error);

    /// <summary>Binds an ephemeral port for outgoing connections (<see cref="Connect"/>); accepts none.</summary>
    public bool StartClient(AddressFamily family, out string? error) =>
        Start(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0, accept: false, out error, anyInterface: true);

    /// <summary>Largest connect data: what fits a connect response under the MTU.</summary>
    public int MaxConnectDataBytes => Options.Mtu - (1 + 4 + 8 + ConnectCookies.CookieBytes + 3);

    /// <summary>
    /// Processes what arrived — handshakes, acks, messages — and raises events on this thread; then checks
    /// timeouts and connect retries. With <paramref name="wait"/> &gt; 0 it first waits up to that long for
    /// a datagram when none is there.
    /// </summary>
    public void Poll<TListener>(ref TListener listener, TimeSpan wait = default)
        where TListener : INetEventListener
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_socket is null)
        {
            ThrowHelper.ThrowInvalidOperation("start the host before polling");
        }

        if (_conditioner is not null && wait > TimeSpan.Zero)
        {
            // Delayed datagrams leave only when the host is pumped: never sleep past the next one's due time.
            long start = Stopwatch.GetTimestamp();
            ReleaseDelayed(start);
            if (_conditioner.TryGetNextDue(out long due))
            {
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks, Math.Max(0, (due - start) * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            }
        }

        // The time the datagrams were stamped with, reused for the timers below (one clock read fewer per call;
        // the processing in between is microseconds, against millisecond timers); 0 when nothing arrived.
        long received = _queue is not null ? PollQueue(ref listener, wait) : PollSocket(ref listener, wait);
        long now = received != 0 ? received : Stopwatch.GetTimestamp();
        if (now - _lastTimerScan >= TimerScanTicks)
        {
            _lastTimerScan = now;
            CheckTimers(now);
        }

        ReleaseDelayed(now);
        RaiseDisconnects(ref listener);
        FlushSends();
    }

    /// <summary>
    /// Sends what every peer has queued, plus resends, acks and keep-alives. Call once per tick after the
    /// game's sends. Peers with queued output are flushed on every call; the scan of all peers for
    /// retransmission timeouts and keep-alives runs at most once per millisecond, so a host flushed in a
    /// tight loop does not pay for its idle peers on every call.
    /// </summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long now = Stopwatch.GetTimestamp();
        if (now - _lastFlushScan >= TimerScanTicks)
        {
            _lastFlushScan = now;
            if (_onlyPeer is not null)
            {
                _onlyPeer.Flush(now, Scratch); // a client's one peer: the list's object and array stay out of the cache
            }
            else
            {
                for (int i = 0; i < _peerList.Count; i++)
                {
                    _peerList[i].Flush(now, Scratch);
                }
            }
        }
        else
        {
            for (NetPeer? peer = _dirtyHead; peer is not null; peer = peer.NextDirty)
            {
                peer.Flush(now, Scratch);
            }
        }

        for (NetPeer? peer = _dirtyHead; peer is not null;)
        {
            NetPeer? next = peer.NextDirty;
            peer.IsDirty = false;
            peer.NextDirty = null;
            peer = next;
        }

        _dirtyHead = _dirtyTail = null;
        ReleaseDelayed(now);
        FlushSends();
    }

    private static long TimerScanTicks { get; } = Stopwatch.Frequency / 1000;

    /// <summary>Tells every peer this host is going, stops the receive thread and closes the socket. No events follow.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        for (int i = _peerList.Count - 1; i >= 0; i--)
        {
            NetPeer peer = _peerList[i];
            if (peer.State == NetPeerState.Connected)
            {
                SendDisconnect(peer, default, bypassConditioner: true);
            }

            peer.State = NetPeerState.Disconnected;
            peer.ReleaseAll();
        }

        FlushSends();
        _peerList.Clear();
        _onlyPeer = null;
        _peers.Clear();
        _lastSender = null;
        Volatile.Write(ref Statistics.PeersField, 0);
        _disposed = true;
        if (_descriptor >= 0)
        {
            _descriptor = -1;
            _socketHandle!.DangerousRelease();
            GC.SuppressFinalize(this);
        }

        if (_receiver is not null)
        {
            _receiver.Stop(TimeSpan.FromSeconds(2));
        }
        else
        {
            _socket?.Dispose();
        }

        _signal.Dispose();
    }

    /// <summary>Converts a socket address to an endpoint (allocates).</summary>
    internal static IPEndPoint ToEndPoint(SocketAddress address) =>
        (IPEndPoint)new IPEndPoint(address.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0).Create(address);

    internal void SendDatagram(ReadOnlySpan<byte> datagram, NetPeer peer, long now)
    {
        peer.Statistics.DatagramsSentField++;
        peer.Statistics.BytesSentField += datagram.Length;
        Send(datagram, peer.Address, now);
    }

    internal void DisconnectPeer(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data, bool notifyRemote)
    {
        if (peer.State == NetPeerState.Disconnected)
        {
            return;
        }

        if (notifyRemote && peer.State == NetPeerState.Connected)
        {
            peer.Flush(Stopwatch.GetTimestamp(), Scratch); // what was sent before the disconnect gets its chance
            SendDisconnect(peer, data, bypassConditioner: false);
        }

        bool wasConnected = peer.State == NetPeerState.Connected;
        _closedTokens[_closedCount++ & (_closedTokens.Length - 1)] = peer.Token;
        peer.State = NetPeerState.Disconnected;
        RemovePeer(peer);
        peer.ReleaseAll();
        if (wasConnected)
        {
            Interlocked.Decrement(ref Statistics.PeersField);
        }

        Statistics.CountDisconnect(reason);
        _pendingDisconnects.Add(new PendingDisconnect(peer, reason, data.IsEmpty ? null : data.ToArray()));
        if (notifyRemote)
        {
            FlushSends(); // the application's Disconnect may come outside Poll/Flush: the farewell leaves now
        }
    }

    private static long Ticks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    private bool Start(IPAddress address, int port, bool accept, out string? error, bool anyInterface = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_socket is not null)
        {
            ThrowHelper.ThrowInvalidOperation("the host is already started");
        }

        if (accept && Options.ConnectSocket)
        {
            error = "ConnectSocket is a client option: a server's socket answers many addresses";
            return false;
        }

        IPAddress bind = anyInterface ? (address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any) : address;
        if (!UdpSocketBinder.TryBind(bind, port, Options.SocketBufferBytes, Options.SocketBufferBytes, out UdpBinding binding, out error))
        {
            return false;
        }

        _socket = binding.Socket;
        _socketHandle = binding.Socket.SafeHandle;
        bool referenced = false;
        _socketHandle.DangerousAddRef(ref referenced); // released in Dispose: the descriptor cannot be closed under a call
        _descriptor = (int)_socketHandle.DangerousGetHandle();
        LocalEndPoint = binding.LocalEndPoint;
        ReceiveBufferBytes = binding.ReceiveBufferBytes;
        SendBufferBytes = binding.SendBufferBytes;
        _accepting = accept;
        if (Options.Conditioner.Enabled)
        {
            _conditioner = new NetConditioner(Options.Conditioner, Options.Mtu, _socket.AddressFamily);
        }

        bool batching = LinuxUdp.IsSupported && Options.IoBatchDatagrams > 1;
        if (batching)
        {
            _batchedSend = true;
        }

        if (Options.ReceiveThread)
        {
            _queue = new InboundQueue(Options.ReceiveQueueDatagrams, Options.Mtu, _socket.AddressFamily);
            _receiver = new DatagramReceiver(_socket, this, batching ? Options.IoBatchDatagrams : 1, Options.Mtu);
            _receiver.Start();
        }
        else
        {
            _inlineFrom = new SocketAddress(_socket.AddressFamily);
            if (batching)
            {
                _batchedReceive = true;
            }
            else
            {
                _inlineBuffer = GC.AllocateUninitializedArray<byte>(DatagramReceiver.MaxDatagramBytes, pinned: true);
            }
        }

        return true;
    }

    private void Process<TListener>(ReadOnlySpan<byte> datagram, SocketAddress from, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        CountReceived(datagram);
        if (datagram.IsEmpty)
        {
            Statistics.Drop(DropReason.UnknownKind);
            return;
        }

        switch ((PacketKind)datagram[0])
        {
            case PacketKind.Data:
            case PacketKind.Ack:
            case PacketKind.Disconnect:
                ProcessPeerDatagram(datagram, FindPeer(from), now, ref listener);
                break;
            case PacketKind.ConnectRequest:
                OnConnectRequest(datagram, from, now);
                break;
            case PacketKind.ConnectResponse:
                OnConnectResponse(datagram, from, now, ref listener);
                break;
            case PacketKind.Challenge:
            case PacketKind.Accept:
            case PacketKind.Reject:
                OnServerReply(datagram, from, now, ref listener);
                break;
            default:
                Statistics.Drop(DropReason.UnknownKind);
                break;
        }
    }

    private void CountReceived(ReadOnlySpan<byte> datagram)
    {
        Statistics.DatagramsReceivedField++;
        Statistics.BytesReceivedField += datagram.Length;
    }

    private static bool IsPeerKind(byte kind) => (PacketKind)kind is PacketKind.Data or PacketKind.Ack or PacketKind.Disconnect;

    private void ProcessPeerDatagram<TListener>(ReadOnlySpan<byte> datagram, NetPeer? peer, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        if (peer is null)
        {
            if (IsLateDisconnect(datagram))
            {
                Interlocked.Increment(ref Statistics.LateDisconnectsField);
            }
            else
            {
                Statistics.Drop(DropReason.UnknownPeer);
            }

            return;
        }

        if (peer.State != NetPeerState.Connected)
        {
            Statistics.Drop(DropReason.UnknownPeer);
            return;
        }

        peer.Statistics.DatagramsReceivedField++;
        peer.Statistics.BytesReceivedField += datagram.Length;
        switch ((PacketKind)datagram[0])
        {
            case PacketKind.Data:
                peer.ReceiveData(datagram, now, Scratch, ref listener);
                break;
            case PacketKind.Ack:
                peer.ReceiveAck(datagram, now);
                break;
            default:
                var reader = new PacketReader(datagram[1..]);
                if (!reader.TryReadUInt64(out ulong token) || token != peer.Token || !reader.TryReadBytes(Options.Mtu, out ReadOnlySpan<byte> data))
                {
                    Statistics.Drop(DropReason.BadHeader);
                    return;
                }

                DisconnectPeer(peer, DisconnectReason.RemoteDisconnect, data, notifyRemote: false);
                break;
        }
    }

    private void RaiseDisconnects<TListener>(ref TListener listener)
        where TListener : INetEventListener
    {
        // Events raised here may disconnect more peers; those are raised in the same loop.
        for (int i = 0; i < _pendingDisconnects.Count; i++)
        {
            PendingDisconnect d = _pendingDisconnects[i];
            listener.OnDisconnected(d.Peer, d.Reason, d.Data);
        }

        _pendingDisconnects.Clear();
    }

    /// <summary>A Disconnect datagram naming the token of a peer closed recently (random 64-bit tokens: no false match).</summary>
    private bool IsLateDisconnect(ReadOnlySpan<byte> datagram)
    {
        var reader = new PacketReader(datagram[1..]);
        if ((PacketKind)datagram[0] != PacketKind.Disconnect || !reader.TryReadUInt64(out ulong token) || token == 0)
        {
            return false;
        }

        return Array.IndexOf(_closedTokens, token) >= 0;
    }

    private enum RejectCode : byte
    {
        Application = 0,
        ServerFull = 1,
        ProtocolMismatch = 2,
    }

    private readonly record struct PendingDisconnect(NetPeer Peer, DisconnectReason Reason, byte[]? Data);
}
