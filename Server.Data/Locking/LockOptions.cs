namespace Realm.Data.Locking;

/// <summary>Settings shared by every <see cref="DistributedLock"/> backend; validated when it is created.</summary>
public sealed class LockOptions
{
    /// <summary>Renew every held lock at lease/3 until it is released (default on). Off: the lock ends at its lease unless <see cref="ILockHandle.ExtendAsync"/> is called.</summary>
    public bool AutoRenew { get; set; } = true;

    /// <summary>First retry delay while another owner holds the resource (default 5 ms); doubles per attempt, with jitter.</summary>
    public TimeSpan RetryMinDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Largest retry delay (default 100 ms).</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long one call to one Redis server may take before it counts as failed (default 250 ms). For
    /// Redlock the acquisition uses the smaller of this and lease/10, so that a dead master costs little of
    /// the lease (Redlock: "a timeout small compared to the auto-release time").
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Prefix of every Redis key (default <c>realm:lock:</c>).</summary>
    public string KeyPrefix { get; set; } = "realm:lock:";

    /// <summary>
    /// How long a resource's fencing counter is kept in Redis after its last acquisition (default 30 days).
    /// A counter that expired, or was lost in a restart without persistence, starts again from the Redis
    /// server's clock in microseconds, which is above every token handed out before as long as fewer than one
    /// token per microsecond was issued; so tokens stay increasing and memory stays bounded.
    /// </summary>
    public TimeSpan FenceRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The clock for leases, validity and retry delays (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Every invalid setting, by name; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RetryMinDelay < TimeSpan.FromMilliseconds(1) || RetryMinDelay > TimeSpan.FromSeconds(10))
        {
            errors.Add($"RetryMinDelay: {RetryMinDelay} is not allowed: 1 ms to 10 s");
        }

        if (RetryMaxDelay < RetryMinDelay || RetryMaxDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add($"RetryMaxDelay: {RetryMaxDelay} is not allowed: RetryMinDelay to 1 min");
        }

        if (OperationTimeout < TimeSpan.FromMilliseconds(1) || OperationTimeout > TimeSpan.FromMinutes(1))
        {
            errors.Add($"OperationTimeout: {OperationTimeout} is not allowed: 1 ms to 1 min");
        }

        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix.Length > 64 || KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"KeyPrefix: \"{KeyPrefix}\" is not allowed: 1–64 characters without braces");
        }

        if (FenceRetention < TimeSpan.FromMinutes(1))
        {
            errors.Add($"FenceRetention: {FenceRetention} is not allowed: 1 min or more");
        }

        if (TimeProvider is null)
        {
            errors.Add("TimeProvider: null is not allowed");
        }

        return errors;
    }
}
