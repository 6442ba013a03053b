using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Realm.Data.Monitoring;
using Realm.LoadTester.Reporting;
using Realm.Server.Net.Wire;

namespace Realm.LoadTester.Echo;

/// <summary>
/// Drives <see cref="EchoOptions.Clients"/> echo clients (one socket each) from a fixed number of worker
/// threads. Each round, a worker sends one message per client, then collects the echoes; the round trip
/// is measured from a timestamp carried in the payload. The clients are plain UDP sockets (raw, the
/// baseline) or Realm transport clients (unreliable or reliable-ordered); the loop is the same, so the
/// figures compare the transports and nothing else.
/// </summary>
internal sealed class EchoScenario
{
    private readonly EchoOptions _options;
    private readonly string _mode;

    private readonly RealmEchoServer? _server;

    public EchoScenario(EchoOptions options, string mode, RealmEchoServer? server = null)
    {
        _options = options;
        _mode = mode;
        _server = server;
    }

    internal long MeasureStartTicks { get; private set; }

    internal long EndTicks { get; private set; }

    public LoadReport Run(IPEndPoint server)
    {
        int threads = Math.Min(_options.Threads, _options.Clients);
        var workers = new EchoWorker[threads];
        for (int t = 0; t < threads; t++)
        {
            int first = t * _options.Clients / threads;
            int last = (t + 1) * _options.Clients / threads;
            workers[t] = _mode == "raw"
                ? new RawEchoWorker(this, server, last - first, _options.PayloadBytes, _options.InFlight)
                : new RealmEchoWorker(this, server, last - first, _options, _mode == "reliable" ? DeliveryMethod.ReliableOrdered : DeliveryMethod.Unreliable, seed: t + 1);
        }

        int connected = 0;
        foreach (EchoWorker worker in workers)
        {
            connected += worker.Connect(TimeSpan.FromSeconds(15));
        }

        long start = Stopwatch.GetTimestamp();
        MeasureStartTicks = start + (long)(_options.WarmupSeconds * Stopwatch.Frequency);
        EndTicks = MeasureStartTicks + (long)(_options.Seconds * Stopwatch.Frequency);
        _server?.MeasureBetween(MeasureStartTicks, EndTicks);
        var running = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            running[t] = new Thread(workers[t].Run) { IsBackground = true, Name = $"echo-worker-{t}" };
            running[t].Start();
        }

        // Allocation and gen0 are read around the measured stage only (TARGETS.md, how to measure).
        WaitUntil(MeasureStartTicks);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        WaitUntil(EndTicks);
        long allocatedAfter = GC.GetTotalAllocatedBytes(precise: true);
        int gen0After = GC.CollectionCount(0);
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuBefore;
        foreach (Thread thread in running)
        {
            thread.Join();
        }

        var rtt = new LatencyHistogram();
        long sent = 0, received = 0, lost = 0;
        int disconnects = 0;
        foreach (EchoWorker worker in workers)
        {
            rtt.Add(worker.Rtt);
            sent += worker.Sent;
            received += worker.Received;
            lost += worker.Lost;
            disconnects += worker.Disconnects;
            worker.Dispose();
        }

        double seconds = _options.Seconds;
        return new LoadReport
        {
            Scenario = "echo-" + _mode,
            Clients = _options.Clients,
            Seconds = seconds,
            Connected = connected,
            FailedConnects = _options.Clients - connected,
            Disconnects = disconnects,
            MessagesSent = sent,
            MessagesReceived = received,
            MessagesPerSecond = (sent + received) / seconds,
            RoundtripsPerSecond = received / seconds,
            Rtt = rtt,
            LossPercent = sent == 0 ? 0 : 100.0 * lost / sent,
            AllocBytesPerMessage = (sent + received) == 0 ? 0 : (double)(allocatedAfter - allocatedBefore) / (sent + received),
            Gen0Collections = gen0After - gen0Before,
            CpuMicrosecondsPerRoundtrip = received == 0 ? 0 : cpu.TotalMicroseconds / received,
            Delivery = _server?.Delivery,
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
}

/// <summary>One worker thread's clients and the round loop they share.</summary>
internal abstract class EchoWorker : IDisposable
{
    /// <summary>How long a client waits for its echoes before the round counts the missing ones lost.</summary>
    protected static readonly TimeSpan ReceiveTimeout = TimeSpan.FromMilliseconds(500);

    private readonly EchoScenario _owner;
    private readonly long[] _nextSequence;
    private readonly byte[] _send;

    protected EchoWorker(EchoScenario owner, int clients, int payloadBytes, int inFlight)
    {
        _owner = owner;
        _nextSequence = new long[clients];
        _send = new byte[payloadBytes];
        InFlight = inFlight;
    }

    public LatencyHistogram Rtt { get; } = new();

    public long Sent { get; private set; }

    public long Received { get; private set; }

    public long Lost { get; private set; }

    public int Disconnects { get; protected set; }

    protected int ClientCount => _nextSequence.Length;

    /// <summary>Messages per client per round.</summary>
    protected int InFlight { get; }

    /// <summary>Connects every client (nothing to do for raw sockets); returns how many are connected.</summary>
    public virtual int Connect(TimeSpan timeout) => ClientCount;

    public void Run()
    {
        bool measuring = false;
        int inFlight = InFlight;
        while (Stopwatch.GetTimestamp() < _owner.EndTicks)
        {
            if (!measuring && Stopwatch.GetTimestamp() >= _owner.MeasureStartTicks)
            {
                measuring = true;
                Rtt.Reset();
                Sent = Received = Lost = 0;
            }

            for (int i = 0; i < ClientCount; i++)
            {
                BeginSends(i, _nextSequence[i] + 1);
                for (int k = 0; k < inFlight; k++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(_send, ++_nextSequence[i]);
                    BinaryPrimitives.WriteInt64LittleEndian(_send.AsSpan(8), Stopwatch.GetTimestamp());
                    if (Send(i, _send))
                    {
                        Sent++;
                    }
                }

                EndSends(i);
            }

            for (int i = 0; i < ClientCount; i++)
            {
                int got = ReceiveRound(i, _nextSequence[i] - inFlight + 1);
                Received += got;
                Lost += inFlight - got;
            }
        }
    }

    public abstract void Dispose();

    /// <summary>Queues or sends one echo request; false when the client could not send.</summary>
    protected abstract bool Send(int client, ReadOnlySpan<byte> payload);

    /// <summary>A round of <paramref name="client"/> starts; its requests are <paramref name="first"/> to <paramref name="first"/> + <see cref="InFlight"/> − 1.</summary>
    protected virtual void BeginSends(int client, long first)
    {
    }

    /// <summary>The round's requests of <paramref name="client"/> are written: put them on the wire.</summary>
    protected virtual void EndSends(int client)
    {
    }

    /// <summary>
    /// Waits up to <see cref="ReceiveTimeout"/> for the echoes of sequences <paramref name="first"/> to
    /// <paramref name="first"/> + <see cref="InFlight"/> − 1, recording each one's RTT (<see cref="RecordRtt"/>);
    /// older echoes are skipped. Returns how many arrived.
    /// </summary>
    protected abstract int ReceiveRound(int client, long first);

    /// <summary>One echo's round trip: <paramref name="receivedAt"/> is when it arrived (Realm clients see it while
    /// pumping others), so the RTT is not stretched by the round's order.</summary>
    protected void RecordRtt(long sentAt, long receivedAt) =>
        Rtt.Record((long)((receivedAt - sentAt) * (1e9 / Stopwatch.Frequency)));
}
