using Realm.Data.Pooling;

namespace Realm.Data.Monitoring.Internal;

/// <summary>One pool's health state, written only by the monitor's check of that pool.</summary>
internal sealed class HealthTracker
{
    private readonly Lock _lock = new();
    private PoolHealth _health = new(HealthState.Unknown, 0, TimeSpan.Zero, 0, null);

    public HealthTracker(ConnectionPool pool) => Pool = pool;

    public ConnectionPool Pool { get; }

    public PoolHealth Health
    {
        get
        {
            lock (_lock)
            {
                return _health;
            }
        }
    }

    /// <summary>Stores the result of one check; returns the state before it.</summary>
    public HealthState Update(HealthState state, bool failed, TimeSpan latency, string? error)
    {
        lock (_lock)
        {
            HealthState old = _health.State;
            _health = new PoolHealth(
                state,
                failed ? _health.ConsecutiveFailures + 1 : 0,
                failed ? _health.LastPingLatency : latency,
                _health.Checks + 1,
                error);
            return old;
        }
    }
}
