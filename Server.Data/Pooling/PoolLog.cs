using Microsoft.Extensions.Logging;

namespace Realm.Data.Pooling;

/// <summary>The pool's log messages (source-generated; event ids 2100–2199).</summary>
internal static partial class PoolLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "pool {Pool}: circuit breaker {Old} -> {New} after {Failures} consecutive connection failures")]
    public static partial void BreakerChanged(ILogger logger, string pool, CircuitState old, CircuitState @new, int failures);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "pool {Pool}: a lease has been held for {HeldMs} ms (threshold {ThresholdMs} ms); taken at {Origin}")]
    public static partial void LeakSuspected(ILogger logger, string pool, long heldMs, long thresholdMs, string origin);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "pool {Pool}: MaxLifetime {Lifetime} is not below the server's wait_timeout of {WaitTimeout} s; the server may close idle connections first")]
    public static partial void LifetimeAboveWaitTimeout(ILogger logger, string pool, TimeSpan lifetime, long waitTimeout);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "pool {Pool}: evicted a connection ({Reason})")]
    public static partial void Evicted(ILogger logger, string pool, string reason);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "pool {Pool}: opening a connection failed: {Error}")]
    public static partial void OpenFailed(ILogger logger, string pool, string error);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Warning, Message = "pool {Pool}: disposed with {Leased} connection(s) still leased after {TimeoutMs} ms; they are closed when given back")]
    public static partial void DisposedWithLeases(ILogger logger, string pool, int leased, long timeoutMs);
}
