using Microsoft.Extensions.Logging;

namespace Realm.Server.Simulation;

/// <summary>The game host's log messages (source-generated; event ids 300–399).</summary>
internal static partial class GameLog
{
    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "player {PlayerId} ({Name}) joined zone {Zone} as entity {Entity}")]
    public static partial void Joined(ILogger logger, long playerId, string name, int zone, uint entity);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "player {PlayerId} login refused: {Reason}")]
    public static partial void LoginRefused(ILogger logger, long playerId, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "player {PlayerId} left ({Reason})")]
    public static partial void Left(ILogger logger, long playerId, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "player {PlayerId}: final save {Outcome} {Error}")]
    public static partial void SaveProblem(ILogger logger, long playerId, string outcome, string? error);

    [LoggerMessage(EventId = 304, Level = LogLevel.Information, Message = "tick: {Ccu} online, {Ticks} ticks, duration p50 {P50:F2} / p99 {P99:F2} / max {Max:F2} ms, lateness p99 {LateP99:F2} / max {LateMax:F2} ms, {Overruns} overruns, inbound {Inbound}, {MessagesIn} msgs in / {MessagesOut} out in the last interval")]
    public static partial void Summary(ILogger logger, int ccu, long ticks, double p50, double p99, double max, double lateP99, double lateMax, long overruns, int inbound, long messagesIn, long messagesOut);

    [LoggerMessage(EventId = 305, Level = LogLevel.Information, Message = "player {PlayerId} disconnected by the server: {Reason}")]
    public static partial void Kicked(ILogger logger, long playerId, string reason);

    [LoggerMessage(EventId = 306, Level = LogLevel.Error, Message = "the logic inbox stayed full for {Ms} ms; a {Kind} result is being retried")]
    public static partial void InboxFull(ILogger logger, long ms, InboxKind kind);
}
