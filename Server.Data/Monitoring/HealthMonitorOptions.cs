namespace Realm.Data.Monitoring;

/// <summary>Settings of a <see cref="HealthMonitor"/>; validated when it is created.</summary>
public sealed class HealthMonitorOptions
{
    /// <summary>How often every pool is pinged (default 2 s).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one ping may take, waiting for a connection included, before it counts as failed (default 1 s).</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A ping slower than this makes the pool Degraded (default 100 ms).</summary>
    public TimeSpan DegradedLatency { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Failed pings in a row after which a pool is Down (default 2; one failure makes it Degraded).</summary>
    public int DownAfterFailures { get; set; } = 2;

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval < TimeSpan.FromMilliseconds(10) || Interval > TimeSpan.FromHours(1))
        {
            errors.Add($"Interval: {Interval} is not allowed: 10 ms to 1 h");
        }

        if (PingTimeout <= TimeSpan.Zero || PingTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"PingTimeout: {PingTimeout} is not allowed: above zero, at most 1 min");
        }

        if (DegradedLatency <= TimeSpan.Zero)
        {
            errors.Add($"DegradedLatency: {DegradedLatency} is not allowed: above zero");
        }

        if (DownAfterFailures < 1)
        {
            errors.Add($"DownAfterFailures: {DownAfterFailures} is not allowed: 1 or more");
        }

        return errors;
    }
}
