namespace Realm.Data.Locking.Internal;

/// <summary>What a backend answers for one acquisition, renewal or release attempt.</summary>
internal enum BackendOutcome
{
    /// <summary>Done: acquired, extended or released.</summary>
    Done,

    /// <summary>Another owner holds the resource (acquire), or it is no longer ours (extend, release).</summary>
    NotOwner,

    /// <summary>The backend did not answer in time or failed; nothing is known.</summary>
    Failed,
}

/// <summary>One backend's answer: outcome, fencing token on acquisition, error text on failure.</summary>
internal readonly record struct BackendResult(BackendOutcome Outcome, long Token = 0, string? Error = null)
{
    public static BackendResult NotOwner => new(BackendOutcome.NotOwner);

    public static BackendResult Fail(string error) => new(BackendOutcome.Failed, 0, error);
}

/// <summary>
/// The part of a lock that differs per store: one attempt to set, extend or delete a key owned by a
/// random owner value. Timing, retries, validity and renewal are <see cref="DistributedLock"/>'s.
/// </summary>
internal abstract class LockBackend : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>Sets the lock if free and returns a fencing token above every earlier one for the resource.</summary>
    public abstract Task<BackendResult> TryAcquireAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Resets the lease to <paramref name="lease"/> if <paramref name="owner"/> still holds it.</summary>
    public abstract Task<BackendResult> TryExtendAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Deletes the lock if <paramref name="owner"/> still holds it.</summary>
    public abstract Task<BackendResult> ReleaseAsync(string resource, string owner, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
