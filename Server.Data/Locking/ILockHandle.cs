namespace Realm.Data.Locking;

/// <summary>One held lock. Dispose it (or call <see cref="ReleaseAsync"/>) to give the resource back.</summary>
/// <remarks>
/// While held, a watchdog renews the lease at lease/3. If renewal fails for long enough that the lease
/// might end, <see cref="LeaseLost"/> is cancelled <em>before</em> the server-side lease can have expired
/// (at the latest at <c>acquire start + lease − drift − lease/6</c>), and <see cref="IsHeld"/> turns false.
/// From then on the holder must stop acting on the resource. Thread-safe.
/// </remarks>
public interface ILockHandle : IAsyncDisposable
{
    /// <summary>The resource, as passed to <see cref="IDistributedLock.TryAcquireAsync"/>.</summary>
    string Resource { get; }

    /// <summary>
    /// Strictly increasing per resource across holders: a later holder always has a larger token. Storage
    /// rejects a write carrying a token older than the last one it accepted (Kleppmann, "How to do
    /// distributed locking", 2016).
    /// </summary>
    long FencingToken { get; }

    /// <summary>The lease each acquisition and renewal asks for.</summary>
    TimeSpan Lease { get; }

    /// <summary>True while the lock is certainly still ours: not released, not lost, and within its validity.</summary>
    bool IsHeld { get; }

    /// <summary>How much longer the lock is certainly ours without another renewal; zero when not held.</summary>
    TimeSpan RemainingValidity { get; }

    /// <summary>Cancelled once when the lease is lost (renewal failed, or another owner has it); never on release.</summary>
    CancellationToken LeaseLost { get; }

    /// <summary>Renews the lease now for another <see cref="Lease"/>.</summary>
    /// <returns><see langword="true"/> when renewed; <see langword="false"/> when the lock is no longer ours
    /// (then <see cref="LeaseLost"/> fires) or the backend did not answer in time (the watchdog keeps trying).</returns>
    ValueTask<bool> ExtendAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops renewal and deletes the lock if it is still ours. Idempotent.</summary>
    /// <returns><see langword="true"/> when this call released a lock that was still ours.</returns>
    ValueTask<bool> ReleaseAsync();
}
