using Microsoft.Extensions.Logging;

namespace Realm.Data.Locking.Internal;

/// <summary>The locks' log messages (source-generated; event ids 2300–2399).</summary>
internal static partial class LockLog
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning, Message = "lock {Resource} (fencing token {Token}) lost: {Reason}; its holder must stop acting on it")]
    public static partial void LeaseLost(ILogger logger, string resource, long token, string reason);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Debug, Message = "lock {Resource}: renewal failed ({Error}); retrying")]
    public static partial void RenewalFailed(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "lock {Resource}: release failed ({Error})")]
    public static partial void ReleaseFailed(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Error, Message = "lock {Resource}: a LeaseLost callback threw: {Error}")]
    public static partial void LeaseLostCallbackFailed(ILogger logger, string resource, string error);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Warning, Message = "lock {Resource}: acquired but {Reason}; released and retrying")]
    public static partial void AcquiredTooLate(ILogger logger, string resource, string reason);
}
