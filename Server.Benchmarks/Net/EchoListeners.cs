using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Benchmarks.Net;

/// <summary>The in-memory transport benchmarks' server: accepts every connection and sends each message back with its method and channel.</summary>
internal struct EchoBackListener : INetEventListener
{
    public readonly ConnectDecision OnConnectRequest(in ConnectRequest request) => ConnectDecision.Accept();

    public readonly void OnConnected(NetPeer peer)
    {
    }

    public readonly void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel) => peer.Send(payload, method, channel);

    public readonly void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data)
    {
    }
}

/// <summary>The in-memory transport benchmarks' clients: count the echoes.</summary>
internal struct CountingClientListener : INetEventListener
{
    public long Messages;

    public readonly ConnectDecision OnConnectRequest(in ConnectRequest request) => ConnectDecision.Reject("a client accepts no connections"u8);

    public readonly void OnConnected(NetPeer peer)
    {
    }

    public void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel) => Messages++;

    public readonly void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data)
    {
    }
}
