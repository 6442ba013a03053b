using Realm.Data.Coordination;

namespace Realm.Server.Hosting.Options;

/// <summary>How servers agree on who owns a player (configuration section <c>Coordination</c>).</summary>
internal sealed class CoordinationOptions
{
    /// <summary>
    /// Comma-separated Redis servers (<c>host:port,…</c>). Default empty: locks are in-process, which is
    /// correct only while a single server runs. One server: single-instance Redis locks. Three or more
    /// independent masters: Redlock. Two are refused (a majority of two is both: either failing stops every
    /// login). Every server listed must answer at start, or start-up stops.
    /// </summary>
    public RedisEndpointList? Redis { get; init; }

    /// <summary>How long start-up waits for each Redis server, in milliseconds. Default 3000.</summary>
    public int RedisConnectTimeoutMs { get; init; } = 3000;

    /// <summary>
    /// The player-ownership lock's lease in milliseconds (default 10000), renewed at a third of it while the
    /// player is online. After a server crash its players can log in elsewhere once it has run out.
    /// </summary>
    public int OwnershipLeaseMs { get; init; } = 10_000;

    /// <summary>
    /// How long a login waits for a player another server still owns, in milliseconds (default 5000), before
    /// it is refused with "still logged in elsewhere".
    /// </summary>
    public int LoginWaitMs { get; init; } = 5_000;

    internal static CoordinationOptions Read(OptionReader reader)
    {
        string text = reader.Text(nameof(Redis), string.Empty, allowEmpty: true);
        int timeout = reader.Int32(nameof(RedisConnectTimeoutMs), 3000, 100, 60_000);
        int lease = reader.Int32(nameof(OwnershipLeaseMs), 10_000, 50, 3_600_000);
        int wait = reader.Int32(nameof(LoginWaitMs), 5_000, 0, 300_000);
        RedisEndpointList? list = null;
        if (text.Length > 0 && !RedisEndpointList.TryParse(text, out list, out string? error))
        {
            reader.Fail(nameof(Redis), text, $"a comma-separated list of host:port ({error})");
        }
        else if (list is { Endpoints.Count: 2 })
        {
            reader.Fail(nameof(Redis), text, "one server (single-instance locks) or three or more independent masters (Redlock); two cannot form a fault-tolerant majority");
            list = null;
        }

        return new CoordinationOptions { Redis = list, RedisConnectTimeoutMs = timeout, OwnershipLeaseMs = lease, LoginWaitMs = wait };
    }
}
