using Microsoft.Extensions.Logging;

namespace Realm.Data.Monitoring;

/// <summary>The health monitor's log messages (source-generated; event ids 2200–2299).</summary>
internal static partial class MonitorLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "pool {Pool}: health {Old} -> {New} ({Reason})")]
    public static partial void Worse(ILogger logger, string pool, HealthState old, HealthState @new, string reason);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "pool {Pool}: health {Old} -> {New} ({Reason})")]
    public static partial void Better(ILogger logger, string pool, HealthState old, HealthState @new, string reason);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "pool {Pool}: a HealthChanged subscriber threw")]
    public static partial void SubscriberFailed(ILogger logger, string pool, Exception error);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "pool {Pool}: refilling after recovery failed: {Error}")]
    public static partial void RefillFailed(ILogger logger, string pool, string error);
}
