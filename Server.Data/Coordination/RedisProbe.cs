using System.Net;
using StackExchange.Redis;

namespace Realm.Data.Coordination;

/// <summary>Checks that a Redis server answers, before anything relies on it.</summary>
/// <remarks>Thread-safe; opens and closes its own connection per call (start-up and health use, not a hot path).</remarks>
public static class RedisProbe
{
    /// <summary>
    /// Connects to <paramref name="endpoint"/>, sends <c>PING</c>, and returns the round-trip time and
    /// the server's version.
    /// </summary>
    /// <param name="endpoint">The Redis server.</param>
    /// <param name="connectTimeout">How long the connection may take.</param>
    /// <exception cref="RedisConnectionException">The server cannot be reached.</exception>
    public static async Task<RedisProbeResult> PingAsync(DnsEndPoint endpoint, TimeSpan connectTimeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            ConnectTimeout = (int)connectTimeout.TotalMilliseconds,
            SyncTimeout = (int)connectTimeout.TotalMilliseconds,
            ConnectRetry = 1,
            AllowAdmin = false,
        };
        options.EndPoints.Add(endpoint.Host, endpoint.Port);
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        try
        {
            TimeSpan roundTrip = await connection.GetDatabase().PingAsync().ConfigureAwait(false);
            IServer server = connection.GetServer(endpoint.Host, endpoint.Port);
            return new RedisProbeResult(roundTrip, server.Version.ToString());
        }
        finally
        {
            // StackExchange.Redis 1.2.6: a plain Dispose (Close(allowCommandsToComplete: true)) of a second
            // multiplexer in a process was measured to block for 5 s here. Every command above has been
            // awaited, so there is nothing left to complete.
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            connection.Dispose();
        }
    }
}
