using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.Server.Simulation.Client;

/// <summary>
/// The client side of a game connection: its own transport client (one socket connected to the server, no receive thread; the
/// owner polls it), connected with a <see cref="LoginRequest"/>. The load tester's bots and the tests'
/// clients are built on it.
/// </summary>
internal abstract class GameConnection : INetEventListener, IDisposable
{
    private readonly NetHost _host;

    protected GameConnection(IPEndPoint server, string token, ushort version = LoginRequest.CurrentVersion, int ioBatch = 32)
    {
        // One server per connection: a connected socket sends over the kernel's cached route and hears no one else.
        _host = new NetHost(new NetHostOptions { ReceiveThread = false, IoBatchDatagrams = ioBatch, ConnectSocket = true });
        if (!_host.StartClient(server.AddressFamily, out string? error))
        {
            throw new InvalidOperationException($"game client: {error}");
        }

        Span<byte> buffer = stackalloc byte[128];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, new LoginRequest(version, Encoding.UTF8.GetBytes(token)));
        Peer = _host.Connect(server, writer.Written);
    }

    public NetPeer Peer { get; }

    /// <summary>
    /// Reads what arrived and handles it (<see cref="OnMessage"/>, <see cref="OnDisconnected"/>); with
    /// <paramref name="wait"/>, first blocks on the socket up to that long while nothing is there.
    /// </summary>
    public void Receive(TimeSpan wait = default)
    {
        GameConnection self = this;
        _host.Poll(ref self, wait);
    }

    /// <summary>Sends what was queued.</summary>
    public void Flush() => _host.Flush();

    /// <summary>Receives (waiting up to <paramref name="wait"/> for a datagram), then flushes.</summary>
    public void Pump(TimeSpan wait = default)
    {
        Receive(wait);
        Flush();
    }

    /// <summary>Queues <paramref name="message"/>; the result says whether the transport took it.</summary>
    [SkipLocalsInit] // the 1,200-byte stack buffer is written before it is read; zeroing it per message is waste
    public SendResult Send<T>(in T message, DeliveryMethod method, byte channel)
        where T : IMessage<T>, allows ref struct
    {
        Span<byte> buffer = stackalloc byte[1200];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, message);
        return Peer.Send(writer.Written, method, channel);
    }

    public void Dispose()
    {
        _host.Dispose();
        GC.SuppressFinalize(this);
    }

    ConnectDecision INetEventListener.OnConnectRequest(in ConnectRequest request) => ConnectDecision.Reject("a game client accepts no connections"u8);

    void INetEventListener.OnConnected(NetPeer peer)
    {
    }

    void INetEventListener.OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        if (!payload.IsEmpty)
        {
            OnMessage(payload);
        }
    }

    void INetEventListener.OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data) => OnDisconnected(reason, data);

    /// <summary>A message from the server (first byte: its id); valid only during the call.</summary>
    protected abstract void OnMessage(ReadOnlySpan<byte> payload);

    /// <summary>The connection ended (refused, kicked, timed out or closed); <paramref name="data"/> is the server's reason.</summary>
    protected abstract void OnDisconnected(DisconnectReason reason, ReadOnlySpan<byte> data);
}
