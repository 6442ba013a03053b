namespace Realm.Data.Locking;

/// <summary>
/// The timing rules every backend follows, from the Redlock description (redis.io, "Distributed Locks with
/// Redis"): a lock is valid for <c>lease − elapsed − drift</c> from the start of the acquisition, where
/// drift = 0.01 × lease + 2 ms allows for clock-rate differences between client and servers.
/// </summary>
public static class LockValidity
{
    /// <summary>The shortest lease accepted (50 ms): below it, timer and scheduling noise eat the renewal margin.</summary>
    public static readonly TimeSpan MinimumLease = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest lease accepted (1 day).</summary>
    public static readonly TimeSpan MaximumLease = TimeSpan.FromDays(1);

    /// <summary>Clock drift allowance: 1 % of the lease plus 2 ms.</summary>
    public static TimeSpan Drift(TimeSpan lease) => TimeSpan.FromTicks(lease.Ticks / 100) + TimeSpan.FromMilliseconds(2);

    /// <summary>Validity left after an acquisition that took <paramref name="elapsed"/>; not positive means the lock is unusable.</summary>
    public static TimeSpan Remaining(TimeSpan lease, TimeSpan elapsed) => lease - elapsed - Drift(lease);

    /// <summary>Instances that must agree out of <paramref name="instances"/>: a strict majority, N/2 + 1.</summary>
    public static int Quorum(int instances) => instances / 2 + 1;

    /// <summary>When the watchdog renews after a successful acquisition or renewal: lease/3 (as Redisson's watchdog).</summary>
    public static TimeSpan RenewalInterval(TimeSpan lease) => lease / 3;

    /// <summary>
    /// How long before the end of validity the holder gives up and signals the loss: lease/6. A late timer
    /// (GC pause, busy thread pool) still fires before the server-side lease ends as long as it is less
    /// than lease/6 + drift late.
    /// </summary>
    public static TimeSpan LossGuard(TimeSpan lease) => lease / 6;

    /// <summary>Delay between renewal attempts after one failed: lease/12, at least 1 ms.</summary>
    public static TimeSpan RetryInterval(TimeSpan lease) => TimeSpan.FromTicks(Math.Max(lease.Ticks / 12, TimeSpan.TicksPerMillisecond));
}
