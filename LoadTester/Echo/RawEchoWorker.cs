using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Realm.LoadTester.Echo;

/// <summary>Plain UDP clients, one connected socket each: the baseline.</summary>
internal sealed class RawEchoWorker : EchoWorker
{
    private readonly Socket[] _clients;
    private readonly byte[] _receive = new byte[2048];

    public RawEchoWorker(EchoScenario owner, IPEndPoint server, int clients, int payloadBytes)
        : base(owner, clients, payloadBytes)
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

    protected override bool TryReceive(int client, long sequence, out long sentAt, out long receivedAt)
    {
        while (true)
        {
            int n;
            try
            {
                n = _clients[client].Receive(_receive);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused)
            {
                sentAt = receivedAt = 0;
                return false;
            }

            if (n >= 16 && BinaryPrimitives.ReadInt64LittleEndian(_receive) == sequence)
            {
                sentAt = BinaryPrimitives.ReadInt64LittleEndian(_receive.AsSpan(8));
                receivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                return true;
            }

            // a late echo of an earlier round, already counted lost
        }
    }
}
