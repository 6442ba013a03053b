using Microsoft.Extensions.Configuration;

namespace Realm.Server.Hosting;

/// <summary>Builds the server's configuration from its three sources.</summary>
internal static class RealmConfiguration
{
    /// <summary>Prefix of environment variables read as options: <c>REALM__NETWORK__PORT=7778</c>.</summary>
    public const string EnvironmentPrefix = "REALM__";

    /// <summary>Short command-line forms for the options people change most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["host"] = "Network:Host",
        ["port"] = "Network:Port",
        ["sqlite"] = "Storage:SqlitePath",
        ["log-level"] = "Logging:Level",
    };

    /// <summary>
    /// Layers <c>appsettings.json</c> (from <paramref name="baseDirectory"/>, optional), environment
    /// variables and <paramref name="args"/>. Returns false with a message when the command line or the
    /// JSON file is malformed.
    /// </summary>
    public static bool TryBuild(string baseDirectory, string[] args, out IConfiguration configuration, out string? error)
    {
        configuration = null!;
        var switches = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (!TryParseArguments(args, switches, out error))
        {
            return false;
        }

        try
        {
            configuration = new ConfigurationBuilder()
                .SetBasePath(baseDirectory)
                .AddJsonFile("appsettings.json", optional: true, reloadOnChange: false)
                .AddEnvironmentVariables(EnvironmentPrefix)
                .AddInMemoryCollection(switches)
                .Build();
            return true;
        }
        catch (InvalidDataException e)
        {
            error = $"appsettings.json in {baseDirectory} is not valid: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// Accepts <c>--Section:Key=value</c>, <c>--Section:Key value</c> and the short forms of
    /// <see cref="SwitchMappings"/>. Unlike the framework's command-line provider, which silently skips
    /// what it does not understand, anything else is an error: a mistyped switch must not start a server
    /// on the wrong port.
    /// </summary>
    internal static bool TryParseArguments(string[] args, Dictionary<string, string?> into, out string? error)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                error = $"unexpected argument \"{arg}\": options are --Section:Key=value (e.g. --Network:Port=7778) or --{string.Join(", --", SwitchMappings.Keys)}";
                return false;
            }

            string body = arg[2..];
            int equals = body.IndexOf('=', StringComparison.Ordinal);
            string key;
            string value;
            if (equals >= 0)
            {
                key = body[..equals];
                value = body[(equals + 1)..];
            }
            else if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                key = body;
                value = args[++i];
            }
            else
            {
                error = $"option \"{arg}\" has no value: write {arg}=VALUE";
                return false;
            }

            if (key.Length == 0)
            {
                error = $"option \"{arg}\" has no name";
                return false;
            }

            into[SwitchMappings.TryGetValue(key, out string? mapped) ? mapped : key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        error = null;
        return true;
    }
}
