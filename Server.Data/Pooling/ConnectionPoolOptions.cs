namespace Realm.Data.Pooling;

/// <summary>Settings of one <see cref="ConnectionPool"/>; validated when the pool is created.</summary>
public sealed class ConnectionPoolOptions
{
    /// <summary>Connections kept open even when idle (default 0). Refilled in the background after evictions.</summary>
    public int MinSize { get; set; }

    /// <summary>Connections open at most (default 16); acquisitions beyond it wait, first come first served.</summary>
    public int MaxSize { get; set; } = 16;

    /// <summary>
    /// How long <see cref="ConnectionPool.AcquireAsync"/> waits for a connection before it throws
    /// <see cref="PoolTimeoutException"/> (default 5 s).
    /// </summary>
    public TimeSpan AcquireTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection idle longer than this is pinged before it is handed out (default 500 ms, as HikariCP);
    /// one used more recently is handed out unchecked. Zero pings on every acquisition.
    /// </summary>
    public TimeSpan ValidationIdleThreshold { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Age after which a connection is closed and replaced when it is next returned or found idle
    /// (default 30 min; null: never). Keep it below the server's <c>wait_timeout</c>; the pool warns at
    /// start when it is not.
    /// </summary>
    public TimeSpan? MaxLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Each connection's lifetime is shortened by a random share up to this (default 0.1, i.e. up to
    /// 10 %), so connections opened together do not all expire together.
    /// </summary>
    public double LifetimeJitter { get; set; } = 0.1;

    /// <summary>A lease held longer than this is logged as a possible leak, with where it was taken (default 30 s; null: off).</summary>
    public TimeSpan? LeakDetectionThreshold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failures to open a connection that open the circuit breaker (default 5).</summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open breaker fails acquisitions fast before it lets one probe through (default 5 s).</summary>
    public TimeSpan BreakerCooldown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the pool's maintenance runs: refill to <see cref="MinSize"/>, lifetime and leak checks (default 1 s).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxSize is < 1 or > 4096)
        {
            errors.Add($"MaxSize: {MaxSize} is not allowed: 1 to 4096");
        }

        if (MinSize < 0 || MinSize > MaxSize)
        {
            errors.Add($"MinSize: {MinSize} is not allowed: 0 to MaxSize ({MaxSize})");
        }

        if (AcquireTimeout <= TimeSpan.Zero || AcquireTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"AcquireTimeout: {AcquireTimeout} is not allowed: above zero, at most 10 min");
        }

        if (ValidationIdleThreshold < TimeSpan.Zero)
        {
            errors.Add($"ValidationIdleThreshold: {ValidationIdleThreshold} is not allowed: zero or more");
        }

        if (MaxLifetime is { } life && life < TimeSpan.FromSeconds(1))
        {
            errors.Add($"MaxLifetime: {life} is not allowed: at least 1 s, or null for no limit");
        }

        if (!(LifetimeJitter is >= 0 and <= 0.5))
        {
            errors.Add($"LifetimeJitter: {LifetimeJitter} is not allowed: 0 to 0.5");
        }

        if (LeakDetectionThreshold is { } leak && leak < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"LeakDetectionThreshold: {leak} is not allowed: at least 10 ms, or null for off");
        }

        if (BreakerFailureThreshold < 1)
        {
            errors.Add($"BreakerFailureThreshold: {BreakerFailureThreshold} is not allowed: 1 or more");
        }

        if (BreakerCooldown <= TimeSpan.Zero)
        {
            errors.Add($"BreakerCooldown: {BreakerCooldown} is not allowed: above zero");
        }

        if (MaintenanceInterval < TimeSpan.FromMilliseconds(10))
        {
            errors.Add($"MaintenanceInterval: {MaintenanceInterval} is not allowed: at least 10 ms");
        }

        return errors;
    }
}
