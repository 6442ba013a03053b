using System.Net;
using Realm.LoadTester.RawEcho;
using Realm.LoadTester.Reporting;

namespace Realm.LoadTester;

internal static class Program
{
    private const string Usage = """
        Usage: LoadTester COMMAND [OPTIONS]   (also: ./run.sh loadtest COMMAND [OPTIONS])

        Commands:
          echo       Echo round trips. --mode raw: N clients, one socket each, ping-pong against a
                     plain UDP echo server (in this process unless --server is given): the baseline
                     that transport figures are stated against, measured in the same run (TARGETS.md).
                     --mode raw  --clients N (100)  --seconds S (5)  --warmup W (1)
                     --payload BYTES (32)  --threads T (cores - 1)  --server 127.0.0.1:PORT  --json FILE

        The game-host scenarios (game, echo through the Realm transport) arrive with those components.
        Load tests target loopback addresses only.
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
                return RunRawEcho(args[1..]);
            default:
                Console.Error.WriteLine($"loadtester: unknown command \"{args[0]}\"");
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int RunRawEcho(string[] args)
    {
        if (!RawEchoOptions.TryParse(args, out RawEchoOptions options, out string? error))
        {
            Console.Error.WriteLine($"loadtester echo: {error}");
            return 2;
        }

        using RawEchoServer? local = options.Server is null ? new RawEchoServer(IPAddress.Loopback) : null;
        IPEndPoint target = options.Server ?? local!.EndPoint;
        Console.WriteLine($"echo --mode raw: {options.Clients} clients on {Math.Min(options.Threads, options.Clients)} threads -> {target} ({options.WarmupSeconds} s warm-up, {options.Seconds} s measured)");
        LoadReport report = new RawEchoScenario(options).Run(target);
        report.WriteSummary(Console.Out);
        if (options.JsonPath is not null)
        {
            using FileStream file = File.Create(options.JsonPath);
            report.WriteJson(file);
            Console.WriteLine($"report written to {options.JsonPath}");
        }

        return report.MessagesReceived > 0 ? 0 : 1;
    }
}
