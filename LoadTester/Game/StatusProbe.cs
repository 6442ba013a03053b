using System.Diagnostics;
using System.Net;
using System.Text;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation.Client;

namespace Realm.LoadTester.Game;

/// <summary>A client that logs in without playing and asks the server for its figures (it counts as one player).</summary>
internal sealed class StatusProbe(IPEndPoint server, long playerId) : GameConnection(server, $"{playerId}:observer")
{
    private uint _requestId;
    private StatusResponse? _response;
    private bool _welcomed;

    /// <summary>The server's tick rate, from its Welcome (0 before the login).</summary>
    public uint TickRate { get; private set; }

    /// <summary>Why the probe could not log in, if it could not.</summary>
    public string? Failure { get; private set; }

    public bool WaitLoggedIn(TimeSpan timeout) => PumpUntil(() => _welcomed || Failure is not null, timeout) && _welcomed;

    /// <summary>Asks for the figures (and, with <paramref name="reset"/>, starts them afresh after answering).</summary>
    public StatusResponse? Request(bool reset, TimeSpan timeout, bool interval = false)
    {
        _response = null;
        uint id = ++_requestId;
        Send(new StatusRequest(id, reset, interval), DeliveryMethod.ReliableOrdered, 0);
        PumpUntil(() => _response is { } r && r.RequestId == id, timeout);
        return _response;
    }

    protected override void OnMessage(ReadOnlySpan<byte> payload)
    {
        var reader = new PacketReader(payload);
        if (payload[0] == MessageIds.Welcome && Message.TryRead(ref reader, out Welcome welcome))
        {
            _welcomed = true;
            TickRate = welcome.TickRate;
        }
        else if (payload[0] == MessageIds.StatusResponse && Message.TryRead(ref reader, out StatusResponse status))
        {
            _response = status;
        }
    }

    protected override void OnDisconnected(DisconnectReason reason, ReadOnlySpan<byte> data) =>
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

            Pump(TimeSpan.FromMilliseconds(1)); // waits on the socket, not on a timer
        }

        return true;
    }
}
