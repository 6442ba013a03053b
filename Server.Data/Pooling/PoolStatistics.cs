namespace Realm.Data.Pooling;

/// <summary>A pool's state and counters (a snapshot; each value is exact, the set is not atomic).</summary>
/// <param name="Total">Connections open (idle + leased + being checked).</param>
/// <param name="Idle">Connections ready to hand out.</param>
/// <param name="Leased">Connections handed out and not yet returned.</param>
/// <param name="Waiters">Acquisitions waiting for a connection.</param>
/// <param name="Acquisitions">Successful acquisitions since creation.</param>
/// <param name="Timeouts">Acquisitions that gave up at <see cref="ConnectionPoolOptions.AcquireTimeout"/>.</param>
/// <param name="Creations">Connections opened.</param>
/// <param name="CreationFailures">Failed attempts to open a connection.</param>
/// <param name="Validations">Pings of idle connections before hand-out.</param>
/// <param name="Evictions">Connections closed as broken, failed validation, or past their lifetime.</param>
/// <param name="LeaksDetected">Leases reported as held past <see cref="ConnectionPoolOptions.LeakDetectionThreshold"/>.</param>
/// <param name="Breaker">The circuit breaker's state.</param>
public readonly record struct PoolStatistics(
    int Total,
    int Idle,
    int Leased,
    int Waiters,
    long Acquisitions,
    long Timeouts,
    long Creations,
    long CreationFailures,
    long Validations,
    long Evictions,
    long LeaksDetected,
    CircuitState Breaker);
