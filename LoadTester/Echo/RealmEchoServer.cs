using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Realm.Data.Monitoring;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.LoadTester.Echo;

/// <summary>
/// An echo server on the Realm transport: a <see cref="NetHost"/> and one logic thread that polls, sends
/// every message back to its sender with the same method, and flushes. The socket is read on that thread
/// (inline, the default: one thread, as the raw baseline) or by the transport's receive thread.
/// </summary>
internal sealed class RealmEchoServer : IDisposable, INetEventListener
{
    private readonly NetHost _host;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _measureStart = long.MaxValue;
    private long _measureEnd;

    public RealmEchoServer(IPAddress address, EchoOptions options)
    {
        NetHostOptions transport = TransportOptions(options, receiveThread: options.ServerReceiveThread, seed: 1);
        transport.SocketBufferBytes = 8 * 1024 * 1024;
        transport.IoBatchDatagrams = 64;
        transport.MaxPeers = options.Clients + 16;
        transport.MaxConnectAttemptsPerSecond = 1_000_000; // every bot connects from 127.0.0.1
        _host = new NetHost(transport);
        if (!_host.StartServer(address, 0, out string? error))
        {
            throw new InvalidOperationException($"echo server: {error}");
        }

        EndPoint = _host.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "realm-echo-logic" };
        _thread.Start();
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The server's transport host (its statistics; the tests read them).</summary>
    internal NetHost Host => _host;

    /// <summary>The server side's transport counters, one line (read after the run).</summary>
    public string Describe()
    {
        NetHostStatistics s = _host.Statistics;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"server transport    {s.DatagramsReceived} datagrams in, {s.DatagramsSent} out ({s.AcksSent} ack-only), {s.Resends} resends, {s.DatagramsLost} datagrams lost, {s.DroppedTotal} dropped, {s.LateDisconnects} late disconnects, {s.Disconnects(DisconnectReason.Timeout)} peers timed out, socket buffer {_host.ReceiveBufferBytes / 1024} KiB");
    }

    /// <summary>Transport options for the echo test (a client's, which the server adjusts): defaults plus the conditioner from the command line.</summary>
    public static NetHostOptions TransportOptions(EchoOptions options, bool receiveThread, int seed) => new()
    {
        ReceiveThread = receiveThread,
        SocketBufferBytes = 256 * 1024,
        IoBatchDatagrams = 4, // a client has one datagram in flight; its batches stay small
        Conditioner = new NetConditionerOptions
        {
            LossPercent = options.LossPercent,
            Latency = TimeSpan.FromMilliseconds(options.LatencyMilliseconds),
            Seed = seed,
        },
    };

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(5));
        _host.Dispose();
    }

    public ConnectDecision OnConnectRequest(in ConnectRequest request) => ConnectDecision.Accept();

    public void OnConnected(NetPeer peer)
    {
    }

    /// <summary>
    /// One-way delivery times (client send → this server's <c>OnMessage</c>) of messages sent inside the
    /// window given to <see cref="MeasureBetween"/>; read after the run. Client and server share one
    /// process and one <see cref="Stopwatch"/> clock, so the payload's send timestamp is comparable.
    /// </summary>
    public LatencyHistogram Delivery { get; } = new();

    /// <summary>Sets the window of send timestamps whose delivery is recorded (before the clients start).</summary>
    public void MeasureBetween(long startTicks, long endTicks)
    {
        Volatile.Write(ref _measureEnd, endTicks);
        Volatile.Write(ref _measureStart, startTicks);
    }

    public void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel)
    {
        if (payload.Length >= 16)
        {
            long sentAt = BinaryPrimitives.ReadInt64LittleEndian(payload[8..]);
            if (sentAt >= Volatile.Read(ref _measureStart) && sentAt < Volatile.Read(ref _measureEnd))
            {
                Delivery.Record((long)((Stopwatch.GetTimestamp() - sentAt) * (1e9 / Stopwatch.Frequency)));
            }
        }

        peer.Send(payload, method, channel);
    }

    public void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data)
    {
    }

    private void Run()
    {
        RealmEchoServer self = this;
        while (!_stopping)
        {
            _host.Poll(ref self, TimeSpan.FromMilliseconds(1));
            _host.Flush();
        }
    }
}
