using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Realm.LoadTester.Echo;
using Realm.LoadTester.Reporting;

namespace Realm.LoadTester;

internal static class Program
{
    private const string Usage = """
        Usage: LoadTester COMMAND [OPTIONS]   (also: ./run.sh loadtest COMMAND [OPTIONS])

        Commands:
          echo       Echo round trips: N clients, one socket each, driven by a few worker threads,
                     ping-pong against an echo server in this process (or --server).
                     --mode raw         plain UDP sockets, no protocol: the baseline (TARGETS.md)
                     --mode unreliable  Realm transport, Unreliable messages
                     --mode reliable    Realm transport, ReliableOrdered messages
                     --mode compare     all three in one run, with each ratio to raw
                     --repeat N (1)     with compare: N interleaved rounds, median ratios (noisy machines)
                     --clients N (100)  --seconds S (5)  --warmup W (1)  --payload BYTES (32)
                     --threads T (cores - 1)  --server 127.0.0.1:PORT  --json FILE
                     --loss PCT  --latency MS   network conditioner on both ends (Realm modes)

          locks      Lock latency on loopback Redis, one operation in flight: SE.Redis baselines (SET NX PX;
                     LockTake+LockRelease), Realm on one Redis, Realm's Redlock over three, in-process.
                     --redis HOST:PORT,HOST:PORT,HOST:PORT (required; the first is the single instance)
                     --ops N (20000 per case)  --rounds R (3, interleaved)

        The game-host scenarios arrive with the game host. Load tests target loopback addresses only.
        """;

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        switch (args[0])
        {
            case "echo":
                return RunEcho(args[1..]);
            case "locks":
                if (!Locks.LockLatencyBench.TryParse(args[1..], out Locks.LockLatencyBench? bench, out string? error))
                {
                    Console.Error.WriteLine($"loadtester locks: {error}");
                    return 2;
                }

                return bench!.RunAsync(Console.Out).GetAwaiter().GetResult();
            default:
                Console.Error.WriteLine($"loadtester: unknown command \"{args[0]}\"");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int RunEcho(string[] args)
    {
        if (!EchoOptions.TryParse(args, out EchoOptions options, out string? error))
        {
            Console.Error.WriteLine($"loadtester echo: {error}");
            return 2;
        }

        string[] modes = options.Mode == "compare" ? ["raw", "unreliable", "reliable"] : [options.Mode];
        var reports = new List<LoadReport>();
        var ratios = new Dictionary<string, List<double>>();
        for (int round = 0; round < options.Repeat; round++)
        {
            LoadReport? raw = null;
            foreach (string mode in modes)
            {
                LoadReport report = RunEchoMode(options, mode);
                reports.Add(report);
                Console.WriteLine();
                if (mode == "raw")
                {
                    raw = report;
                }
                else if (raw is not null)
                {
                    (CollectionsMarshal.GetValueRefOrAddDefault(ratios, report.Scenario, out _) ??= []).Add(report.RoundtripsPerSecond / raw.RoundtripsPerSecond);
                }
            }
        }

        foreach ((string scenario, List<double> values) in ratios)
        {
            values.Sort();
            double median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
            string rounds = values.Count == 1 ? string.Empty : $" (median of {values.Count} rounds: {string.Join(", ", values.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))})";
            double alloc = reports.Where(r => r.Scenario == scenario).Max(r => r.AllocBytesPerMessage);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario,-18} {median:F3} x raw round trips/s{rounds}, {alloc:F2} B/message"));
        }

        if (options.JsonPath is not null)
        {
            using FileStream file = File.Create(options.JsonPath);
            LoadReport.WriteJson(file, reports);
            Console.WriteLine($"report written to {options.JsonPath}");
        }

        return reports.All(r => r.MessagesReceived > 0) ? 0 : 1;
    }

    private static LoadReport RunEchoMode(EchoOptions options, string mode)
    {
        IDisposable? local = null;
        IPEndPoint target;
        if (options.Server is not null)
        {
            target = options.Server;
        }
        else if (mode == "raw")
        {
            var server = new RawEchoServer(IPAddress.Loopback);
            (local, target) = (server, server.EndPoint);
        }
        else
        {
            var server = new RealmEchoServer(IPAddress.Loopback, options);
            (local, target) = (server, server.EndPoint);
        }

        using (local)
        {
            string conditioner = mode == "raw" || (options.LossPercent == 0 && options.LatencyMilliseconds == 0) ? string.Empty
                : $", conditioner {options.LossPercent} % loss, {options.LatencyMilliseconds} ms one way";
            Console.WriteLine($"echo --mode {mode}: {options.Clients} clients on {Math.Min(options.Threads, options.Clients)} threads -> {target} ({options.WarmupSeconds} s warm-up, {options.Seconds} s measured{conditioner})");
            LoadReport report = new EchoScenario(options, mode, local as RealmEchoServer).Run(target);
            report.WriteSummary(Console.Out);
            if (local is RealmEchoServer realm)
            {
                Console.WriteLine(realm.Describe());
            }

            return report;
        }
    }
}
