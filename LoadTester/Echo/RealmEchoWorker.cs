using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.LoadTester.Echo;

/// <summary>
/// Realm transport clients, one <see cref="NetHost"/> (one socket) each, polled by this worker's thread
/// (no receive thread per client). Each echo request is one message sent with the chosen method; a
/// client's requests of one round leave in one flush, merged into one datagram.
/// </summary>
internal sealed class RealmEchoWorker : EchoWorker, INetEventListener
{
    private readonly NetHost[] _hosts;
    private readonly NetPeer[] _peers;
    private readonly DeliveryMethod _method;
    private readonly bool _conditioned;
    private readonly long[] _first;   // per client: the round's first sequence
    private readonly ulong[] _seen;   // per client: bit k set when the echo of _first + k arrived
    private readonly int[] _got;      // per client: echoes of this round so far

    public RealmEchoWorker(EchoScenario owner, IPEndPoint server, int clients, EchoOptions options, DeliveryMethod method, int seed)
        : base(owner, clients, options.PayloadBytes, options.InFlight)
    {
        _method = method;
        _conditioned = options.LossPercent > 0 || options.LatencyMilliseconds > 0;
        _first = new long[clients];
        _seen = new ulong[clients];
        _got = new int[clients];
        _hosts = new NetHost[clients];
        _peers = new NetPeer[clients];
        for (int i = 0; i < clients; i++)
        {
            NetHostOptions transport = RealmEchoServer.TransportOptions(options, receiveThread: false, seed: (seed * 100_000) + i);
            transport.ConnectSocket = true; // one server per client, as the raw baseline's connected sockets
            var host = new NetHost(transport);
            if (!host.StartClient(server.AddressFamily, out string? error))
            {
                throw new InvalidOperationException($"echo client {i}: {error}");
            }

            _hosts[i] = host;
            _peers[i] = host.Connect(server, "realm-echo"u8);
            _peers[i].Tag = i;
        }
    }

    public override int Connect(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        int connected = 0;
        while (clock.Elapsed < timeout)
        {
            connected = 0;
            int pending = 0;
            for (int i = 0; i < _hosts.Length; i++)
            {
                RealmEchoWorker self = this;
                _hosts[i].Poll(ref self);
                _hosts[i].Flush();
                connected += _peers[i].State == NetPeerState.Connected ? 1 : 0;
                pending += _peers[i].State == NetPeerState.Connecting ? 1 : 0;
            }

            if (pending == 0)
            {
                break;
            }

            Thread.Sleep(1);
        }

        return connected;
    }

    public override void Dispose()
    {
        foreach (NetHost host in _hosts)
        {
            host.Dispose();
        }
    }

    public ConnectDecision OnConnectRequest(in ConnectRequest request) => ConnectDecision.Reject("clients accept no connections"u8);

    public void OnConnected(NetPeer peer)
    {
    }

    public void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        int i = (int)peer.Tag!;
        long offset = payload.Length >= 16 ? BinaryPrimitives.ReadInt64LittleEndian(payload) - _first[i] : -1;
        if (offset >= 0 && offset < InFlight && (_seen[i] & (1UL << (int)offset)) == 0)
        {
            _seen[i] |= 1UL << (int)offset;
            _got[i]++;
            RecordRtt(BinaryPrimitives.ReadInt64LittleEndian(payload[8..]), Stopwatch.GetTimestamp()); // at arrival
        }
    }

    public void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data) => Disconnects++;

    protected override void BeginSends(int client, long first)
    {
        _first[client] = first; // a new window of expected echoes; late ones of the last round fall outside it
        _seen[client] = 0;
        _got[client] = 0;
    }

    protected override bool Send(int client, ReadOnlySpan<byte> payload) => _peers[client].Send(payload, _method) == SendResult.Queued;

    protected override void EndSends(int client) => _hosts[client].Flush();

    protected override int ReceiveRound(int client, long first)
    {
        RealmEchoWorker self = this;
        if (!_conditioned)
        {
            // The common case: the echoes came back while this worker served its other clients. One
            // non-blocking read, and no deadline to compute.
            _hosts[client].Poll(ref self);
            if (_got[client] == InFlight)
            {
                return InFlight;
            }
        }

        long deadline = Stopwatch.GetTimestamp() + (long)(ReceiveTimeout.TotalSeconds * Stopwatch.Frequency);
        while (_got[client] < InFlight && _first[client] == first)
        {
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0 || _peers[client].State != NetPeerState.Connected)
            {
                break;
            }

            if (_conditioned)
            {
                // Delayed datagrams leave only when their host is pumped, and resends need acks:
                // keep every client of this worker moving while waiting for this one. A pass that found
                // nothing new sleeps a millisecond (one pump interval) instead of spinning, so that the
                // server, on the same two vCPUs, is not starved by clients that only wait.
                int got = _got[client];
                for (int i = 0; i < _hosts.Length; i++)
                {
                    _hosts[i].Poll(ref self);
                    _hosts[i].Flush();
                }

                if (_got[client] == got)
                {
                    Thread.Sleep(1);
                }
            }
            else
            {
                _hosts[client].Poll(ref self, TimeSpan.FromTicks(Math.Max(1, left * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            }
        }

        if (_got[client] < InFlight)
        {
            _hosts[client].Flush(); // resends and acks keep going while we wait on other clients
        }

        return _got[client];
    }
}
