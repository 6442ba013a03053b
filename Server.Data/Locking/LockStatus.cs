namespace Realm.Data.Locking;

/// <summary>The outcome of <see cref="IDistributedLock.TryAcquireAsync"/>.</summary>
public enum LockStatus
{
    /// <summary>The lock is held; <see cref="LockAcquisition.Handle"/> is set.</summary>
    Acquired,

    /// <summary>Another owner held the resource for the whole wait.</summary>
    HeldElsewhere,

    /// <summary>The backend did not answer or answered with an error (for Redlock: no majority reachable).</summary>
    Unavailable,
}
