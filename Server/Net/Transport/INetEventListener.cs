using System.Net;
using Realm.Server.Net.Wire;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Receives a <see cref="NetHost"/>'s events, on the thread that calls <see cref="NetHost.Poll{TListener}(ref TListener, TimeSpan)"/>
/// — never on an I/O thread. Implement it on a struct to have every call direct (no interface dispatch).
/// Spans passed in are valid only during the call.
/// </summary>
internal interface INetEventListener
{
    /// <summary>A client with a valid cookie asks to connect; <see cref="ConnectRequest.Data"/> is what it sent (protocol version, token).</summary>
    ConnectDecision OnConnectRequest(in ConnectRequest request);

    /// <summary>The peer is connected: on a server after accepting, on a client after the server's accept.</summary>
    void OnConnected(NetPeer peer);

    /// <summary>A message arrived. <paramref name="payload"/> is valid only during the call.</summary>
    void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel);

    /// <summary>The peer is gone, raised exactly once per peer; <paramref name="data"/> is the reason the other side gave, if any.</summary>
    void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data);
}

/// <summary>A connect request with a valid cookie, handed to <see cref="INetEventListener.OnConnectRequest"/>.</summary>
internal readonly ref struct ConnectRequest
{
    public ConnectRequest(SocketAddress address, ReadOnlySpan<byte> data)
    {
        Address = address;
        Data = data;
    }

    /// <summary>Where the request came from (valid during the call; copy it to keep it).</summary>
    public SocketAddress Address { get; }

    /// <summary>The client's connect data.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The address as an endpoint (allocates).</summary>
    public IPEndPoint EndPoint() => NetHost.ToEndPoint(Address);
}

/// <summary>The application's answer to a connect request.</summary>
internal readonly ref struct ConnectDecision
{
    private ConnectDecision(bool accepted, ReadOnlySpan<byte> reason)
    {
        IsAccepted = accepted;
        Reason = reason;
    }

    public bool IsAccepted { get; }

    /// <summary>Why it was rejected, sent to the client (trimmed to fit the reply, which is never larger than the request).</summary>
    public ReadOnlySpan<byte> Reason { get; }

    public static ConnectDecision Accept() => new(true, default);

    /// <summary>Rejects with a reason for the client, typically short UTF-8 text.</summary>
    public static ConnectDecision Reject(ReadOnlySpan<byte> reason) => new(false, reason);
}
