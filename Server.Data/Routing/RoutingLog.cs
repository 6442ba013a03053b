using Microsoft.Extensions.Logging;

namespace Realm.Data.Routing;

/// <summary>The routing layer's log messages (source-generated; event ids 2500–2599).</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "replica {Pool} taken out of the read rotation: {Reason}")]
    public static partial void ReplicaOut(ILogger logger, string pool, string reason);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "replica {Pool} back in the read rotation ({Lag} transactions behind)")]
    public static partial void ReplicaIn(ILogger logger, string pool, long lag);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "primary {Pool}: reading its GTID position for the lag check failed: {Error}")]
    public static partial void PrimaryPositionFailed(ILogger logger, string pool, string error);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Debug, Message = "shard directory: key {Key} placed on logical shard {Shard} by {Strategy}")]
    public static partial void Placed(ILogger logger, long key, int shard, string strategy);
}
