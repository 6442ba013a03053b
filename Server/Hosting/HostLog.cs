using System.Net;
using Microsoft.Extensions.Logging;

namespace Realm.Server.Hosting;

/// <summary>Source-generated log messages of the host; event ids are fixed (1xx).</summary>
internal static partial class HostLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Realm server {Version} starting (pid {ProcessId})")]
    public static partial void Starting(ILogger logger, string version, int processId);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Database: {Provider} at {Location}, engine version {EngineVersion}")]
    public static partial void DatabaseOpened(ILogger logger, string provider, string location, string engineVersion);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information, Message = "Data tier: {Count} connection pool(s) started ({Names}); schema applied, queries checked, health monitor running")]
    public static partial void PoolsReady(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Redis {Endpoint} answered PING in {RoundTripMs:F2} ms (version {RedisVersion})")]
    public static partial void RedisAnswered(ILogger logger, string endpoint, double roundTripMs, string redisVersion);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "Coordination: in-process locks (no Redis configured; correct for a single server only)")]
    public static partial void InProcessCoordination(ILogger logger);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information, Message = "Player ownership: locks on {Locks}, lease {LeaseMs} ms renewed at a third, login wait {WaitMs} ms; saves are fenced")]
    public static partial void OwnershipReady(ILogger logger, string locks, int leaseMs, int waitMs);

    [LoggerMessage(EventId = 104, Level = LogLevel.Information, Message = "Listening on UDP {EndPoint} (receive buffer {ReceiveGranted} B granted of {ReceiveAsked} B asked, send buffer {SendGranted} B of {SendAsked} B)")]
    public static partial void Listening(ILogger logger, IPEndPoint endPoint, int receiveGranted, int receiveAsked, int sendGranted, int sendAsked);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "The kernel granted a {Granted} B receive buffer, less than the {Asked} B asked; bursts may be dropped (raise the sysctl net.core.rmem_max)")]
    public static partial void ReceiveBufferShort(ILogger logger, int granted, int asked);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Server ready; press Ctrl+C to stop")]
    public static partial void Ready(ILogger logger);

    [LoggerMessage(EventId = 110, Level = LogLevel.Critical, Message = "Start-up failed: {Reason}")]
    public static partial void StartFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 120, Level = LogLevel.Information, Message = "Shutting down ({Reason})")]
    public static partial void ShuttingDown(ILogger logger, string reason);

    [LoggerMessage(EventId = 109, Level = LogLevel.Information, Message = "Game host: {TickRate} Hz, {Zones} zone(s) of {ZoneMeters} m, area-of-interest cells of {CellMeters} m, at most {MaxPlayers} players")]
    public static partial void GameStarted(ILogger logger, int tickRate, int zones, int zoneMeters, int cellMeters, int maxPlayers);

    [LoggerMessage(EventId = 123, Level = LogLevel.Critical, Message = "The logic thread stopped on an exception: {Error}")]
    public static partial void LogicThreadFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 121, Level = LogLevel.Information, Message = "Stopped cleanly after {UptimeSeconds:F1} s: {Datagrams} datagrams ({Bytes} B) received")]
    public static partial void Stopped(ILogger logger, double uptimeSeconds, long datagrams, long bytes);


    [LoggerMessage(EventId = 124, Level = LogLevel.Information, Message = "Players sharded by {Strategy} over {LogicalShards} logical shards on {Pools}; {Replicas} replica pool(s)")]
    public static partial void ShardsReady(ILogger logger, string strategy, int logicalShards, string pools, int replicas);
}
