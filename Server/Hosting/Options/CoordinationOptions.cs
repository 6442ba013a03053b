using Realm.Data.Coordination;

namespace Realm.Server.Hosting.Options;

/// <summary>How servers agree on who owns a player (configuration section <c>Coordination</c>).</summary>
internal sealed class CoordinationOptions
{
    /// <summary>
    /// Comma-separated Redis servers (<c>host:port,…</c>). Default empty: locks are in-process, which is
    /// correct only while a single server runs. Three or more independent masters enable Redlock.
    /// Every server listed must answer at start, or start-up stops.
    /// </summary>
    public RedisEndpointList? Redis { get; init; }

    /// <summary>How long start-up waits for each Redis server, in milliseconds. Default 3000.</summary>
    public int RedisConnectTimeoutMs { get; init; } = 3000;

    internal static CoordinationOptions Read(OptionReader reader)
    {
        string text = reader.Text(nameof(Redis), string.Empty, allowEmpty: true);
        int timeout = reader.Int32(nameof(RedisConnectTimeoutMs), 3000, 100, 60_000);
        RedisEndpointList? list = null;
        if (text.Length > 0 && !RedisEndpointList.TryParse(text, out list, out string? error))
        {
            reader.Fail(nameof(Redis), text, $"a comma-separated list of host:port ({error})");
        }

        return new CoordinationOptions { Redis = list, RedisConnectTimeoutMs = timeout };
    }
}
