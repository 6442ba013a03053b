using Microsoft.Extensions.Logging;

namespace Realm.Data.Ownership;

/// <summary>Player ownership's log messages (source-generated; event ids 2400–2499).</summary>
internal static partial class OwnershipLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "player {PlayerId}: stale owner — the database rejected a save with fencing token {Token}; a newer owner claimed the player, this session ends")]
    public static partial void StaleOwner(ILogger logger, long playerId, long token);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "player {PlayerId}: login refused, still logged in elsewhere ({Reason})")]
    public static partial void ClaimRefused(ILogger logger, long playerId, string reason);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "player {PlayerId}: claim failed: {Error}")]
    public static partial void ClaimFailed(ILogger logger, long playerId, string error);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "player {PlayerId}: the lock granted token {Token}, but the database holds a newer one; refusing the login")]
    public static partial void StaleClaim(ILogger logger, long playerId, long token);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "player {PlayerId}: save failed: {Error}; nothing is known to be written, the caller keeps the state and retries")]
    public static partial void SaveFailed(ILogger logger, long playerId, string error);
}
