using System.Diagnostics;
using System.Net;
using Realm.Data.Coordination;
using Realm.Data.Locking;
using Realm.Server.Tests.Integration;
using StackExchange.Redis;

namespace Realm.Server.Tests.Data.Locking;

/// <summary>The backends the shared behavioural tests run against.</summary>
public enum LockKind
{
    InProcess,
    Redis,
    Redlock,
}

internal static class LockTestSupport
{
    /// <summary>A lock of <paramref name="kind"/>; the Redis kinds use the servers from <c>./run.sh test</c>.</summary>
    public static async Task<DistributedLock> CreateAsync(LockKind kind, LockOptions? options = null)
    {
        switch (kind)
        {
            case LockKind.InProcess:
                return DistributedLock.CreateInProcess(options);
            case LockKind.Redis:
                return await DistributedLock.ConnectRedisAsync(TestServices.RequireRedis().Endpoints[0], options);
            default:
                return await DistributedLock.ConnectRedlockAsync(TestServices.RequireRedis().Endpoints, options);
        }
    }

    /// <summary>A resource no other test (or earlier run against the same Redis) uses.</summary>
    public static string NewResource(string what) => $"test:{what}:{Guid.NewGuid():N}";

    /// <summary>The Redis key the lock of <paramref name="resource"/> lives in (default prefix).</summary>
    public static RedisKey LockKey(string resource) => $"realm:lock:{{{resource}}}";

    /// <summary>The Redis key of <paramref name="resource"/>'s fencing counter (default prefix).</summary>
    public static RedisKey FenceKey(string resource) => $"realm:lock:{{{resource}}}:fence";

    /// <summary>A plain connection to one server, for looking at keys and pausing it.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(DnsEndPoint server)
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = false, ConnectTimeout = 5000, SyncTimeout = 5000 };
        options.EndPoints.Add(server.Host, server.Port);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>Closes without the 5 s wait a plain Dispose of a second 1.2.6 multiplexer takes.</summary>
    public static async Task CloseAsync(ConnectionMultiplexer connection)
    {
        await connection.CloseAsync(allowCommandsToComplete: false);
        connection.Dispose();
    }

    /// <summary><c>CLIENT PAUSE ms WRITE</c>: writes and scripts block, reads answer (Redis 6.2+).</summary>
    public static Task PauseWritesAsync(ConnectionMultiplexer connection, TimeSpan duration) =>
        connection.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", ((long)duration.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), "WRITE");

    public static Task UnpauseAsync(ConnectionMultiplexer connection) => connection.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");

    /// <summary>Polls <paramref name="condition"/> every 5 ms until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        long start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                Assert.Fail($"not reached within {timeout.TotalSeconds} s: {what}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>The endpoints of the Redis servers, for the Redis-only tests.</summary>
    public static IReadOnlyList<DnsEndPoint> RedisServers() => TestServices.RequireRedis().Endpoints;

    public static string Format(DnsEndPoint server) => RedisEndpointList.Format(server);
}
