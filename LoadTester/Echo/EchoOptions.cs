using System.Globalization;
using System.Net;

namespace Realm.LoadTester.Echo;

/// <summary>Command-line options of <c>echo</c>; every one is validated with a message naming it.</summary>
internal sealed class EchoOptions
{
    public int Clients { get; private set; } = 100;

    public double Seconds { get; private set; } = 5;

    public double WarmupSeconds { get; private set; } = 1;

    public int PayloadBytes { get; private set; } = 32;

    public int Threads { get; private set; } = Math.Max(1, Environment.ProcessorCount - 1);

    public IPEndPoint? Server { get; private set; }

    /// <summary>raw, unreliable, reliable, or compare (all three in one run, with ratios to raw).</summary>
    public string Mode { get; private set; } = "raw";

    /// <summary>Conditioner loss on every datagram, both directions, in percent (Realm modes only).</summary>
    public double LossPercent { get; private set; }

    /// <summary>Conditioner one-way latency in milliseconds (Realm modes only; RTT is twice this).</summary>
    public double LatencyMilliseconds { get; private set; }

    public string? JsonPath { get; private set; }

    /// <summary>With compare: rounds of raw, unreliable, reliable, interleaved; the ratios reported are the medians.</summary>
    public int Repeat { get; private set; } = 1;

    /// <summary>
    /// Messages each client has in flight per round (NetworkBenchmarkDotNet's "batched" shape when above 1): a
    /// Realm client sends them in one flush, which merges them into one datagram; a raw client sends one datagram each.
    /// </summary>
    public int InFlight { get; private set; } = 1;

    /// <summary>
    /// The in-process Realm echo server's I/O: <c>inline</c> (default) reads the socket on its one logic thread,
    /// as the raw baseline's one thread does; <c>thread</c> adds the transport's receive thread.
    /// </summary>
    public bool ServerReceiveThread { get; private set; }

    public static bool TryParse(string[] args, out EchoOptions options, out string? error)
    {
        options = new EchoOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value";
                return false;
            }

            string value = args[++i];
            switch (name)
            {
                case "--mode" when value is "raw" or "unreliable" or "reliable" or "compare":
                    options.Mode = value;
                    break;
                case "--loss" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double l) && l is >= 0 and <= 50:
                    options.LossPercent = l;
                    break;
                case "--latency" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double ms) && ms is >= 0 and <= 1000:
                    options.LatencyMilliseconds = ms;
                    break;
                case "--clients" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c is >= 1 and <= 20_000:
                    options.Clients = c;
                    break;
                case "--seconds" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s is > 0 and <= 3600:
                    options.Seconds = s;
                    break;
                case "--warmup" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double w) && w is >= 0 and <= 600:
                    options.WarmupSeconds = w;
                    break;
                case "--payload" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p is >= 16 and <= 1200:
                    options.PayloadBytes = p;
                    break;
                case "--threads" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int t) && t >= 1 && t <= 2 * Environment.ProcessorCount:
                    options.Threads = t;
                    break;
                case "--server" when IPEndPoint.TryParse(value, out IPEndPoint? ep) && ep.Port != 0 && IsLoopback(ep.Address):
                    options.Server = ep;
                    break;
                case "--repeat" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r is >= 1 and <= 20:
                    options.Repeat = r;
                    break;
                case "--in-flight" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k is >= 1 and <= 64:
                    options.InFlight = k;
                    break;
                case "--server-io" when value is "inline" or "thread":
                    options.ServerReceiveThread = value == "thread";
                    break;
                case "--json":
                    options.JsonPath = value;
                    break;
                case "--mode" or "--loss" or "--latency" or "--clients" or "--seconds" or "--warmup" or "--payload" or "--threads" or "--server" or "--repeat" or "--in-flight" or "--server-io":
                    error = $"{name} \"{value}\" is not allowed: {Allowed(name)}";
                    return false;
                default:
                    error = $"unknown option {name}";
                    return false;
            }
        }

        if (options.Repeat > 1 && options.Mode != "compare")
        {
            error = "--repeat applies to --mode compare (rounds of raw, unreliable and reliable, interleaved)";
            return false;
        }

        if (options.Mode == "raw" && (options.LossPercent > 0 || options.LatencyMilliseconds > 0))
        {
            error = "--loss and --latency apply to the Realm transport (--mode unreliable, reliable or compare), not to raw sockets";
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address);

    private static string Allowed(string name) => name switch
    {
        "--mode" => "raw, unreliable, reliable or compare",
        "--loss" => "a percentage from 0 to 50",
        "--latency" => "milliseconds from 0 to 1000",
        "--clients" => "a whole number from 1 to 20000",
        "--seconds" => "a number of seconds above 0, at most 3600",
        "--warmup" => "a number of seconds from 0 to 600",
        "--payload" => "a whole number of bytes from 16 to 1200",
        "--repeat" => "a whole number of rounds from 1 to 20",
        "--in-flight" => "a whole number of messages per client from 1 to 64",
        "--server-io" => "inline (the echo server reads its socket on its logic thread) or thread (a receive thread hands datagrams over)",
        "--threads" => $"a whole number from 1 to {2 * Environment.ProcessorCount} (two per core)",
        _ => "a loopback address:port such as 127.0.0.1:9000 (load tests target this machine only)",
    };
}
