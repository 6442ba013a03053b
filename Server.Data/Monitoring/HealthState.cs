namespace Realm.Data.Monitoring;

/// <summary>What the health monitor concluded about a pool's database from its last checks.</summary>
public enum HealthState
{
    /// <summary>Not checked yet.</summary>
    Unknown,

    /// <summary>The last ping answered within <see cref="HealthMonitorOptions.DegradedLatency"/> and the breaker is closed.</summary>
    Healthy,

    /// <summary>
    /// Reachable but not well: the ping was slow, the pool had no connection free for it, the breaker is
    /// half-open, or fewer than <see cref="HealthMonitorOptions.DownAfterFailures"/> pings in a row failed.
    /// </summary>
    Degraded,

    /// <summary><see cref="HealthMonitorOptions.DownAfterFailures"/> pings in a row failed, or the circuit breaker is open.</summary>
    Down,
}
