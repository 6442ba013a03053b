using System.Diagnostics;
using System.Net;
using System.Text;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.LoadTester.Game;

/// <summary>A client that logs in without playing and asks the server for its figures (it counts as one player).</summary>
internal sealed class StatusProbe : INetEventListener, IDisposable
{
    private readonly NetHost _host;
    private readonly NetPeer _peer;
    private uint _requestId;
    private StatusResponse? _response;
    private bool _welcomed;

    public StatusProbe(IPEndPoint server, long playerId)
    {
        _host = new NetHost(new NetHostOptions { ReceiveThread = false });
        if (!_host.StartClient(server.AddressFamily, out string? error))
        {
            throw new InvalidOperationException($"status probe: {error}");
        }

        Span<byte> buffer = stackalloc byte[128];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, new LoginRequest(LoginRequest.CurrentVersion, Encoding.UTF8.GetBytes($"{playerId}:observer")));
        _peer = _host.Connect(server, writer.Written);
    }

    /// <summary>Why the probe could not log in, if it could not.</summary>
    public string? Failure { get; private set; }

    public bool WaitLoggedIn(TimeSpan timeout) => PumpUntil(() => _welcomed || Failure is not null, timeout) && _welcomed;

    /// <summary>Asks for the figures (and, with <paramref name="reset"/>, starts them afresh after answering).</summary>
    public StatusResponse? Request(bool reset, TimeSpan timeout)
    {
        _response = null;
        uint id = ++_requestId;
        Span<byte> buffer = stackalloc byte[16];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, new StatusRequest(id, reset));
        _peer.Send(writer.Written, DeliveryMethod.ReliableOrdered, 0);
        PumpUntil(() => _response is { } r && r.RequestId == id, timeout);
        return _response;
    }

    /// <summary>Keeps the probe's link alive between requests.</summary>
    public void Pump()
    {
        StatusProbe self = this;
        _host.Poll(ref self, TimeSpan.Zero);
        _host.Flush();
    }

    public void Dispose() => _host.Dispose();

    ConnectDecision INetEventListener.OnConnectRequest(in ConnectRequest request) => ConnectDecision.Reject("probe"u8);

    void INetEventListener.OnConnected(NetPeer peer)
    {
    }

    void INetEventListener.OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        var reader = new PacketReader(payload);
        if (payload[0] == MessageIds.Welcome)
        {
            _welcomed = true;
        }
        else if (payload[0] == MessageIds.StatusResponse && Message.TryRead(ref reader, out StatusResponse status))
        {
            _response = status;
        }
    }

    void INetEventListener.OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data) =>
        Failure = data.IsEmpty ? reason.ToString() : Encoding.UTF8.GetString(data);

    private bool PumpUntil(Func<bool> done, TimeSpan timeout)
    {
        long start = Stopwatch.GetTimestamp();
        while (!done())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            Pump();
            Thread.Sleep(1);
        }

        return true;
    }
}
