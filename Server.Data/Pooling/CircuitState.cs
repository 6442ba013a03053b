namespace Realm.Data.Pooling;

/// <summary>State of a pool's circuit breaker.</summary>
public enum CircuitState
{
    /// <summary>Normal: connections are opened as needed.</summary>
    Closed,

    /// <summary>Opening connections failed repeatedly: acquisitions fail fast until the cool-down ends.</summary>
    Open,

    /// <summary>The cool-down ended: one probe may open a connection; its result closes or reopens the breaker.</summary>
    HalfOpen,
}
