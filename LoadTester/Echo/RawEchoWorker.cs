using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Realm.LoadTester.Echo;

/// <summary>Plain UDP clients, one connected socket each: the baseline.</summary>
internal sealed class RawEchoWorker : EchoWorker
{
    private readonly Socket[] _clients;
    private readonly byte[] _receive = new byte[2048];

    public RawEchoWorker(EchoScenario owner, IPEndPoint server, int clients, int payloadBytes, int inFlight)
        : base(owner, clients, payloadBytes, inFlight)
    {
        _clients = new Socket[clients];
        for (int i = 0; i < clients; i++)
        {
            var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            {
                ReceiveTimeout = (int)ReceiveTimeout.TotalMilliseconds,
            };
            socket.Connect(server);
            _clients[i] = socket;
        }
    }

    public override void Dispose()
    {
        foreach (Socket socket in _clients)
        {
            socket.Dispose();
        }
    }

    protected override bool Send(int client, ReadOnlySpan<byte> payload)
    {
        _clients[client].Send(payload);
        return true;
    }

    protected override int ReceiveRound(int client, long first)
    {
        ulong seen = 0; // bit k: the echo of first + k arrived (InFlight ≤ 64)
        int got = 0;
        while (got < InFlight)
        {
            int n;
            try
            {
                n = _clients[client].Receive(_receive);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
            {
                break;
            }

            long offset = n >= 16 ? BinaryPrimitives.ReadInt64LittleEndian(_receive) - first : -1;
            if (offset >= 0 && offset < InFlight && (seen & (1UL << (int)offset)) == 0)
            {
                seen |= 1UL << (int)offset;
                got++;
                RecordRtt(BinaryPrimitives.ReadInt64LittleEndian(_receive.AsSpan(8)), System.Diagnostics.Stopwatch.GetTimestamp());
            }

            // else a late echo of an earlier round, already counted lost
        }

        return got;
    }
}
