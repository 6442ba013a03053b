using System.Diagnostics;
using System.Net;
using Realm.LoadTester.Reporting;
using Realm.Server.Protocol.Messages;

namespace Realm.LoadTester.Game;

/// <summary>
/// <c>LoadTester game</c>: N bots ramped in at R per second over a few worker threads (never a thread per bot),
/// a warm-up, then a measured stage whose figures — the bots' own and the server's, fetched through a
/// status probe — make the report.
/// </summary>
internal sealed class GameSwarm(SwarmOptions options)
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(5);

    public LoadReport Run(IPEndPoint server, TextWriter output) => Run(server, new TextSwarmView(output));

    public LoadReport Run(IPEndPoint server, ISwarmView view)
    {
        var workers = new SwarmWorker[Math.Min(options.Threads, options.Bots)];
        for (int i = 0; i < workers.Length; i++)
        {
            int index = i;
            workers[i] = new SwarmWorker(i, old => new Bot(server, old.PlayerId, options, workers[index].Stats, new Random(unchecked((int)old.PlayerId)), reconnected: true));
            workers[i].Start();
        }

        using var probe = new StatusProbe(server, options.FirstPlayerId - 1);
        if (!probe.WaitLoggedIn(TimeSpan.FromSeconds(10)))
        {
            StopAll(workers);
            throw new InvalidOperationException($"the status probe could not log in to {server}: {probe.Failure ?? "no answer"}");
        }

        var random = new Random(options.Seed);
        var series = new Series(workers, probe, view, options.Bots);
        int created = 0;
        while (created < options.Bots)
        {
            int due = Math.Min(options.Bots, 1 + (int)(series.Elapsed.TotalSeconds * options.RampPerSecond));
            for (; created < due; created++)
            {
                SwarmWorker worker = workers[created % workers.Length];
                worker.Add(new Bot(server, options.FirstPlayerId + created, options, worker.Stats, new Random(random.Next())));
            }

            series.Step("ramp", $"{created}/{options.Bots} bots started", -1);
            Thread.Sleep(2);
        }

        series.Run("warmup", TimeSpan.FromSeconds(options.WarmupSeconds));

        // Measured stage: everyone's counters afresh, the server's too (the probe's status request resets them).
        foreach (SwarmWorker worker in workers)
        {
            worker.ResetMeasured();
        }

        series.Restart();
        StatusResponse? before = probe.Request(reset: true, StatusTimeout);
        long kernelBefore = KernelUdpCounters.ReceiveBufferErrors();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        var measured = Stopwatch.StartNew();
        series.Run("measured", TimeSpan.FromSeconds(options.Seconds));

        double seconds = measured.Elapsed.TotalSeconds;
        StatusResponse? after = probe.Request(reset: false, StatusTimeout);
        long kernelAfter = KernelUdpCounters.ReceiveBufferErrors();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        int gen0 = GC.CollectionCount(0) - gen0Before;
        StopAll(workers);

        var total = new SwarmStats();
        foreach (SwarmWorker worker in workers)
        {
            total.Add(worker.Stats);
            worker.Dispose();
        }

        long messages = total.MessagesSent + total.MessagesReceived;
        return new LoadReport
        {
            Scenario = $"game-{options.Scenario}",
            Clients = options.Bots,
            Seconds = Math.Round(seconds, 2),
            Connected = total.Connected,
            FailedConnects = total.FailedConnects,
            Disconnects = total.Disconnects,
            MessagesSent = total.MessagesSent,
            MessagesReceived = total.MessagesReceived,
            MessagesPerSecond = messages / seconds,
            RoundtripsPerSecond = total.EchoesReceived / seconds,
            Rtt = total.Rtt,
            LossPercent = total.EchoesSent == 0 ? 0 : 100.0 * Math.Max(0, total.EchoesSent - total.EchoesReceived) / total.EchoesSent,
            AllocBytesPerMessage = messages == 0 ? 0 : allocated / (double)messages,
            Gen0Collections = gen0,
            SnapshotInterval = total.SnapshotInterval,
            ConnectTime = total.ConnectTime,
            TransportRtt = total.TransportRtt,
            Corrections = total.Corrections,
            ChatSent = total.ChatSent,
            ChatReceived = total.ChatReceived,
            ZoneChanges = total.ZoneChanges,
            Reconnects = total.Reconnects,
            Errors = total.Errors,
            KernelReceiveBufferErrors = kernelBefore < 0 ? -1 : kernelAfter - kernelBefore,
            DisconnectReasons = total.DisconnectReasons,
            Server = Figures(before, after),
            Series = series.Points,
            ServerTickRate = (int)probe.TickRate,
        };
    }

    private static ServerFigures? Figures(StatusResponse? before, StatusResponse? after)
    {
        if (before is not { } b || after is not { } a)
        {
            return null;
        }

        return new ServerFigures(
            Ccu: (int)a.Ccu - 1, // without the probe
            Ticks: (long)a.Ticks,
            TickP50Ms: a.TickP50Us / 1000.0,
            TickP99Ms: a.TickP99Us / 1000.0,
            TickMaxMs: a.TickMaxUs / 1000.0,
            LatenessP99Ms: a.LatenessP99Us / 1000.0,
            LatenessMaxMs: a.LatenessMaxUs / 1000.0,
            Overruns: (long)a.Overruns,
            AllocatedBytes: (long)a.AllocatedBytes,
            Gen0Collections: (long)a.Gen0Collections,
            Messages: (long)(a.MessagesIn - b.MessagesIn + a.MessagesOut - b.MessagesOut));
    }

    private static int Connected(SwarmWorker[] workers)
    {
        int connected = 0;
        foreach (SwarmWorker worker in workers)
        {
            connected += worker.Stats.Connected - worker.Stats.Disconnects;
        }

        return connected;
    }

    /// <summary>
    /// The run's clock and its time series: every second, the bots' counters and echo RTTs of that second and
    /// the server's tick figures of that second (an interval status request), one progress line, one point.
    /// </summary>
    private sealed class Series(SwarmWorker[] workers, StatusProbe probe, ISwarmView view, int target)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Data.Monitoring.LatencyHistogram _rtt = new();
        private long _nextPoint = 1000;
        private long _sent;
        private long _received;
        private double _lastAt;
        private int _lastBots;

        public List<SeriesPoint> Points { get; } = [];

        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>The bots' counters were just restarted (measured stage): rates count from now.</summary>
        public void Restart()
        {
            (_sent, _received) = (0, 0);
            _lastAt = _clock.Elapsed.TotalSeconds;
        }

        /// <summary>Runs <paramref name="stage"/> for <paramref name="duration"/>, sampling every second.</summary>
        public void Run(string stage, TimeSpan duration)
        {
            var stageClock = Stopwatch.StartNew();
            while (stageClock.Elapsed < duration)
            {
                Step(stage, string.Empty, (duration - stageClock.Elapsed).TotalSeconds);
                Thread.Sleep(5);
            }
        }

        /// <summary>Keeps the probe alive; once a second, takes a point and prints a line.</summary>
        public void Step(string stage, string note, double remainingSeconds)
        {
            probe.Pump();
            if (_clock.ElapsedMilliseconds < _nextPoint)
            {
                return;
            }

            _nextPoint += 1000;
            double now = _clock.Elapsed.TotalSeconds;
            double span = Math.Max(0.001, now - _lastAt);
            _lastAt = now;
            long sent = 0;
            long received = 0;
            long echoesSent = 0;
            long echoesReceived = 0;
            _rtt.Reset();
            foreach (SwarmWorker worker in workers)
            {
                sent += worker.Stats.MessagesSent;
                received += worker.Stats.MessagesReceived;
                echoesSent += worker.Stats.EchoesSent;
                echoesReceived += worker.Stats.EchoesReceived;
                worker.TakeSecond(_rtt);
            }

            double sentRate = (sent - _sent) / span;
            double receivedRate = (received - _received) / span;
            (_sent, _received) = (sent, received);
            StatusResponse? status = probe.Request(reset: false, TimeSpan.FromMilliseconds(500), interval: true);
            var point = new SeriesPoint(
                Math.Round(now, 2), stage, Connected(workers), Math.Round(sentRate), Math.Round(receivedRate),
                _rtt.PercentileMilliseconds(50), _rtt.PercentileMilliseconds(99),
                status is { } a ? a.TickP50Us / 1000.0 : -1, status is { } b ? b.TickP99Us / 1000.0 : -1,
                status is { } c ? c.TickMaxUs / 1000.0 : -1, status is { } d ? d.LatenessP99Us / 1000.0 : -1);
            Points.Add(point);
            double connects = Math.Max(0, point.Bots - _lastBots) / span;
            _lastBots = point.Bots;
            double loss = echoesSent == 0 ? 0 : 100.0 * Math.Max(0, echoesSent - echoesReceived) / echoesSent;
            view.Show(point, target, connects, loss, remainingSeconds, note);
        }
    }

    private static void StopAll(SwarmWorker[] workers)
    {
        foreach (SwarmWorker worker in workers)
        {
            worker.Stop();
        }
    }
}
