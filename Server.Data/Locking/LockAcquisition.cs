namespace Realm.Data.Locking;

/// <summary>A handle, or the reason there is none.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Handle">The held lock, when <paramref name="Status"/> is <see cref="LockStatus.Acquired"/>.</param>
/// <param name="Reason">Why not, in words that name the resource; <see langword="null"/> when acquired.</param>
public readonly record struct LockAcquisition(LockStatus Status, ILockHandle? Handle, string? Reason)
{
    /// <summary>True when <see cref="Handle"/> is set.</summary>
    public bool Acquired => Status == LockStatus.Acquired;
}
