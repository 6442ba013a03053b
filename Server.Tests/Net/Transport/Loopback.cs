using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Tests.Net.Transport;

/// <summary>Decides a connect request in tests.</summary>
internal delegate ConnectDecision ConnectPolicy(in ConnectRequest request);

/// <summary>Records every event a host raises, for assertions.</summary>
internal sealed class Recorder : INetEventListener
{
    public ConnectPolicy Policy { get; set; } = static (in ConnectRequest _) => ConnectDecision.Accept();

    public List<NetPeer> Connected { get; } = [];

    public List<(NetPeer Peer, DisconnectReason Reason, byte[] Data)> Disconnected { get; } = [];

    public List<(NetPeer Peer, byte[] Payload, DeliveryMethod Method, byte Channel)> Messages { get; } = [];

    public List<byte[]> ConnectData { get; } = [];

    /// <summary>When set, payloads are counted but not copied (allocation tests).</summary>
    public bool CountOnly { get; set; }

    public long MessageCount { get; private set; }

    public Action<NetPeer, ReadOnlySpan<byte>>? OnMessageHook { get; set; }

    public ConnectDecision OnConnectRequest(in ConnectRequest request)
    {
        ConnectData.Add(request.Data.ToArray());
        return Policy(request);
    }

    public void OnConnected(NetPeer peer) => Connected.Add(peer);

    public void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        MessageCount++;
        OnMessageHook?.Invoke(peer, payload);
        if (!CountOnly)
        {
            Messages.Add((peer, payload.ToArray(), method, channel));
        }
    }

    public void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data) => Disconnected.Add((peer, reason, data.ToArray()));

    public IEnumerable<byte[]> Payloads(DeliveryMethod method, byte channel = 0) =>
        Messages.Where(m => m.Method == method && m.Channel == channel).Select(m => m.Payload);
}

/// <summary>A server host and client hosts on loopback, pumped from the test thread.</summary>
internal sealed class Loopback : IDisposable
{
    private readonly List<(NetHost Host, Recorder Events)> _clients = [];

    public Loopback(NetHostOptions? server = null, IPAddress? address = null)
    {
        Server = new NetHost(server ?? new NetHostOptions());
        Assert.That(Server.StartServer(address ?? IPAddress.Loopback, 0, out string? error), Is.True, error);
    }

    public NetHost Server { get; }

    public Recorder ServerEvents { get; } = new();

    public IReadOnlyList<(NetHost Host, Recorder Events)> Clients => _clients;

    public (NetHost Host, Recorder Events, NetPeer Peer) AddClient(NetHostOptions? options = null, byte[]? data = null)
    {
        var host = new NetHost(options ?? new NetHostOptions { ReceiveThread = false });
        Assert.That(host.StartClient(Server.LocalEndPoint!.AddressFamily, out string? error), Is.True, error);
        var events = new Recorder();
        _clients.Add((host, events));
        NetPeer peer = host.Connect(new IPEndPoint(Server.LocalEndPoint!.Address, Server.LocalEndPoint.Port), data ?? []);
        return (host, events, peer);
    }

    /// <summary>Polls and flushes every host until <paramref name="done"/> or the timeout; returns whether it became true.</summary>
    public bool PumpUntil(Func<bool> done, TimeSpan timeout, Func<NetHost, bool>? skip = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            PumpOnce(skip);
            if (done())
            {
                return true;
            }
        }

        return done();
    }

    public void PumpOnce(Func<NetHost, bool>? skip = null)
    {
        Recorder serverEvents = ServerEvents;
        if (skip?.Invoke(Server) != true)
        {
            Server.Poll(ref serverEvents, TimeSpan.FromMilliseconds(1));
            Server.Flush();
        }

        foreach ((NetHost host, Recorder events) in _clients)
        {
            if (skip?.Invoke(host) == true)
            {
                continue;
            }

            Recorder e = events;
            host.Poll(ref e);
            host.Flush();
        }
    }

    /// <summary>A raw UDP socket for handshake and fuzz tests.</summary>
    public Socket RawSocket()
    {
        var socket = new Socket(Server.LocalEndPoint!.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 300 };
        socket.Bind(new IPEndPoint(Server.LocalEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        return socket;
    }

    public void Dispose()
    {
        foreach ((NetHost host, _) in _clients)
        {
            host.Dispose();
        }

        Server.Dispose();
    }
}
