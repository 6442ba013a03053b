using System.Globalization;
using System.Net;

namespace Realm.LoadTester.Game;

/// <summary>Options of <c>LoadTester game</c>; every bad value is reported by name.</summary>
internal sealed class SwarmOptions
{
    public IPEndPoint? Server { get; private set; }

    public bool SelfHost { get; private set; }

    public int Bots { get; private set; } = 50;

    public double RampPerSecond { get; private set; } = 100;

    public double Seconds { get; private set; } = 10;

    public double WarmupSeconds { get; private set; } = 2;

    public int InputHz { get; private set; } = 30;

    /// <summary>Walking speed the bots aim at, cm/s (90 % of the server's default cap).</summary>
    public int SpeedCmPerSecond { get; private set; } = 900;

    public int Threads { get; private set; } = Math.Max(1, Environment.ProcessorCount);

    public int Seed { get; private set; } = 1;

    public long FirstPlayerId { get; private set; } = 1_000_000;

    public string Scenario { get; private set; } = "move";

    public string? JsonPath { get; private set; }

    public string? CsvPath { get; private set; }

    public string? HtmlPath { get; private set; }

    public List<Reporting.FailCondition> FailIf { get; } = [];

    /// <summary>Plain lines instead of the live table (also when the output is not a terminal).</summary>
    public bool Plain { get; private set; }

    public static bool TryParse(string[] args, out SwarmOptions options, out string? error)
    {
        var o = new SwarmOptions();
        options = o;
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name == "--self-host")
            {
                o.SelfHost = true;
                continue;
            }

            if (name == "--plain")
            {
                o.Plain = true;
                continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value";
                return false;
            }

            string value = args[++i];
            if (name == "--fail-if")
            {
                foreach (string part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!Reporting.FailCondition.TryParse(part, out Reporting.FailCondition? condition, out error))
                    {
                        return false;
                    }

                    o.FailIf.Add(condition!);
                }

                continue;
            }

            bool ok = name switch
            {
                "--server" => TryEndPoint(value, out IPEndPoint? server) && (o.Server = server) is not null,
                "--bots" => TryInt(value, 1, 20_000, out int bots) && Set(() => o.Bots = bots),
                "--ramp" => TryDouble(value.EndsWith("/s", StringComparison.Ordinal) ? value[..^2] : value, 1, 100_000, out double ramp) && Set(() => o.RampPerSecond = ramp),
                "--seconds" => TryDouble(value, 1, 3600, out double seconds) && Set(() => o.Seconds = seconds),
                "--warmup" => TryDouble(value, 0, 600, out double warmup) && Set(() => o.WarmupSeconds = warmup),
                "--tick-hz" => TryInt(value, 1, 120, out int hz) && Set(() => o.InputHz = hz),
                "--speed" => TryInt(value, 1, 100_000, out int speed) && Set(() => o.SpeedCmPerSecond = speed),
                "--threads" => TryInt(value, 1, 2 * Environment.ProcessorCount, out int threads) && Set(() => o.Threads = threads),
                "--seed" => TryInt(value, 0, int.MaxValue, out int seed) && Set(() => o.Seed = seed),
                "--first-player" => long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long first) && first > 0 && Set(() => o.FirstPlayerId = first),
                "--scenario" => value is "move" or "chat" or "mixed" && Set(() => o.Scenario = value),
                "--json" => value.Length > 0 && Set(() => o.JsonPath = value),
                "--csv" => value.Length > 0 && Set(() => o.CsvPath = value),
                "--html" => value.Length > 0 && Set(() => o.HtmlPath = value),
                _ => false,
            };
            if (!ok)
            {
                error = name switch
                {
                    "--server" => $"--server \"{value}\": expected a loopback IP:port (load tests stay on loopback)",
                    "--threads" => $"--threads {value}: 1 to {2 * Environment.ProcessorCount} (two threads per core at most)",
                    "--scenario" => $"--scenario {value}: one of move (walk at the input rate), chat (walk and chat), mixed (walkers, idlers, chatters, zone hoppers, reconnects)",
                    _ => $"{name} {value}: not a known option or out of range (see --help)",
                };
                return false;
            }
        }

        if (o.Server is null == !o.SelfHost)
        {
            error = "give exactly one of --server IP:PORT and --self-host";
            return false;
        }

        error = null;
        return true;
    }

    private static bool Set(Action assign)
    {
        assign();
        return true;
    }

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryDouble(string text, double min, double max, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryEndPoint(string text, out IPEndPoint? endpoint) =>
        IPEndPoint.TryParse(text, out endpoint) && endpoint.Port > 0 && IPAddress.IsLoopback(endpoint.Address);
}
