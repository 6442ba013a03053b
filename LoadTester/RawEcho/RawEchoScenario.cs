using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Realm.LoadTester.Reporting;

namespace Realm.LoadTester.RawEcho;

/// <summary>
/// Drives <see cref="RawEchoOptions.Clients"/> UDP clients (one socket each) from a fixed number of
/// worker threads against a raw echo server. Each round, a worker sends one datagram per client, then
/// collects the echoes; the round trip is measured from a timestamp carried in the payload.
/// </summary>
internal sealed class RawEchoScenario
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(500);

    private readonly RawEchoOptions _options;
    private long _measureStartTicks;
    private long _endTicks;

    public RawEchoScenario(RawEchoOptions options) => _options = options;

    public LoadReport Run(IPEndPoint server)
    {
        int threads = Math.Min(_options.Threads, _options.Clients);
        var workers = new Worker[threads];
        for (int t = 0; t < threads; t++)
        {
            int first = t * _options.Clients / threads;
            int last = (t + 1) * _options.Clients / threads;
            workers[t] = new Worker(this, server, last - first, _options.PayloadBytes);
        }

        long start = Stopwatch.GetTimestamp();
        _measureStartTicks = start + (long)(_options.WarmupSeconds * Stopwatch.Frequency);
        _endTicks = _measureStartTicks + (long)(_options.Seconds * Stopwatch.Frequency);
        var running = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            running[t] = new Thread(workers[t].Run) { IsBackground = true, Name = $"raw-echo-worker-{t}" };
            running[t].Start();
        }

        // Allocation and gen0 are read around the measured stage only (TARGETS.md, how to measure).
        WaitUntil(_measureStartTicks);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        WaitUntil(_endTicks);
        long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        int gen0After = GC.CollectionCount(0);
        foreach (Thread thread in running)
        {
            thread.Join();
        }

        var rtt = new LatencyHistogram();
        long sent = 0, received = 0, lost = 0;
        foreach (Worker worker in workers)
        {
            rtt.Add(worker.Rtt);
            sent += worker.Sent;
            received += worker.Received;
            lost += worker.Lost;
            worker.Dispose();
        }

        double seconds = _options.Seconds;
        return new LoadReport
        {
            Scenario = "echo-raw",
            Clients = _options.Clients,
            Seconds = seconds,
            Connected = _options.Clients,
            MessagesSent = sent,
            MessagesReceived = received,
            MessagesPerSecond = (sent + received) / seconds,
            RoundtripsPerSecond = received / seconds,
            Rtt = rtt,
            LossPercent = sent == 0 ? 0 : 100.0 * lost / sent,
            AllocBytesPerMessage = (sent + received) == 0 ? 0 : (double)(allocatedAfter - allocatedBefore) / (sent + received),
            Gen0Collections = gen0After - gen0Before,
        };
    }

    private static void WaitUntil(long ticks)
    {
        long remaining;
        while ((remaining = ticks - Stopwatch.GetTimestamp()) > 0)
        {
            Thread.Sleep(TimeSpan.FromSeconds(Math.Min(0.05, (double)remaining / Stopwatch.Frequency)));
        }
    }

    private sealed class Worker : IDisposable
    {
        private readonly RawEchoScenario _owner;
        private readonly Socket[] _clients;
        private readonly long[] _nextSequence;
        private readonly byte[] _send;
        private readonly byte[] _receive = new byte[2048];

        public Worker(RawEchoScenario owner, IPEndPoint server, int clients, int payloadBytes)
        {
            _owner = owner;
            _clients = new Socket[clients];
            _nextSequence = new long[clients];
            _send = new byte[payloadBytes];
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

        public LatencyHistogram Rtt { get; } = new();

        public long Sent { get; private set; }

        public long Received { get; private set; }

        public long Lost { get; private set; }

        public void Run()
        {
            bool measuring = false;
            while (Stopwatch.GetTimestamp() < _owner._endTicks)
            {
                if (!measuring && Stopwatch.GetTimestamp() >= _owner._measureStartTicks)
                {
                    measuring = true;
                    Rtt.Reset();
                    Sent = Received = Lost = 0;
                }

                for (int i = 0; i < _clients.Length; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(_send, ++_nextSequence[i]);
                    BinaryPrimitives.WriteInt64LittleEndian(_send.AsSpan(8), Stopwatch.GetTimestamp());
                    _clients[i].Send(_send);
                    Sent++;
                }

                for (int i = 0; i < _clients.Length; i++)
                {
                    Collect(i);
                }
            }
        }

        public void Dispose()
        {
            foreach (Socket socket in _clients)
            {
                socket.Dispose();
            }
        }

        private void Collect(int client)
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
                    Lost++;
                    return;
                }

                if (n < 16 || BinaryPrimitives.ReadInt64LittleEndian(_receive) != _nextSequence[client])
                {
                    continue; // a late echo of an earlier round, already counted lost
                }

                long sentAt = BinaryPrimitives.ReadInt64LittleEndian(_receive.AsSpan(8));
                Rtt.Record((long)((Stopwatch.GetTimestamp() - sentAt) * (1e9 / Stopwatch.Frequency)));
                Received++;
                return;
            }
        }
    }
}
