using System.Diagnostics;
using System.Globalization;
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

    public LoadReport Run(IPEndPoint server, TextWriter output)
    {
        var workers = new SwarmWorker[Math.Min(options.Threads, options.Bots)];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new SwarmWorker(i);
            workers[i].Start();
        }

        using var probe = new StatusProbe(server, options.FirstPlayerId - 1);
        if (!probe.WaitLoggedIn(TimeSpan.FromSeconds(10)))
        {
            StopAll(workers);
            throw new InvalidOperationException($"the status probe could not log in to {server}: {probe.Failure ?? "no answer"}");
        }

        var random = new Random(options.Seed);
        var ramp = Stopwatch.StartNew();
        int created = 0;
        long nextLine = 0;
        while (created < options.Bots)
        {
            int due = Math.Min(options.Bots, 1 + (int)(ramp.Elapsed.TotalSeconds * options.RampPerSecond));
            for (; created < due; created++)
            {
                SwarmWorker worker = workers[created % workers.Length];
                worker.Add(new Bot(server, options.FirstPlayerId + created, options, worker.Stats, new Random(random.Next())));
            }

            probe.Pump();
            if (ramp.ElapsedMilliseconds >= nextLine)
            {
                nextLine += 1000;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ramp {ramp.Elapsed.TotalSeconds,5:F1} s: {created}/{options.Bots} bots started, {Connected(workers)} in the game"));
            }

            Thread.Sleep(2);
        }

        Wait(probe, TimeSpan.FromSeconds(options.WarmupSeconds));

        // Measured stage: everyone's counters afresh, the server's too (the probe's status request resets them).
        foreach (SwarmWorker worker in workers)
        {
            worker.ResetMeasured();
        }

        StatusResponse? before = probe.Request(reset: true, StatusTimeout);
        long kernelBefore = KernelUdpCounters.ReceiveBufferErrors();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        var measured = Stopwatch.StartNew();
        for (int second = 1; measured.Elapsed.TotalSeconds < options.Seconds; second++)
        {
            Wait(probe, TimeSpan.FromSeconds(Math.Min(1, options.Seconds - measured.Elapsed.TotalSeconds)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"measured {measured.Elapsed.TotalSeconds,5:F1} s: {Connected(workers)} bots in the game"));
        }

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
            KernelReceiveBufferErrors = kernelBefore < 0 ? -1 : kernelAfter - kernelBefore,
            DisconnectReasons = total.DisconnectReasons,
            Server = Figures(before, after),
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

    private static void Wait(StatusProbe probe, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            probe.Pump();
            Thread.Sleep(5);
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
