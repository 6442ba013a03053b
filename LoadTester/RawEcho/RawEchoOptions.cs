using System.Globalization;
using System.Net;

namespace Realm.LoadTester.RawEcho;

/// <summary>Command-line options of <c>echo</c>; every one is validated with a message naming it.</summary>
internal sealed class RawEchoOptions
{
    public int Clients { get; private set; } = 100;

    public double Seconds { get; private set; } = 5;

    public double WarmupSeconds { get; private set; } = 1;

    public int PayloadBytes { get; private set; } = 32;

    public int Threads { get; private set; } = Math.Max(1, Environment.ProcessorCount - 1);

    public IPEndPoint? Server { get; private set; }

    public string? JsonPath { get; private set; }

    public static bool TryParse(string[] args, out RawEchoOptions options, out string? error)
    {
        options = new RawEchoOptions();
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
                case "--mode" when value == "raw":
                    break;
                case "--mode":
                    error = $"--mode \"{value}\" is not allowed: raw (the unreliable and reliable modes run through the Realm transport, which is not built yet)";
                    return false;
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
                case "--json":
                    options.JsonPath = value;
                    break;
                case "--clients" or "--seconds" or "--warmup" or "--payload" or "--threads" or "--server":
                    error = $"{name} \"{value}\" is not allowed: {Allowed(name)}";
                    return false;
                default:
                    error = $"unknown option {name}";
                    return false;
            }
        }

        error = null;
        return true;
    }

    private static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address);

    private static string Allowed(string name) => name switch
    {
        "--clients" => "a whole number from 1 to 20000",
        "--seconds" => "a number of seconds above 0, at most 3600",
        "--warmup" => "a number of seconds from 0 to 600",
        "--payload" => "a whole number of bytes from 16 to 1200",
        "--threads" => $"a whole number from 1 to {2 * Environment.ProcessorCount} (two per core)",
        _ => "a loopback address:port such as 127.0.0.1:9000 (load tests target this machine only)",
    };
}
