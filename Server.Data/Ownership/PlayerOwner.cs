using Realm.Data.Locking;

namespace Realm.Data.Ownership;

/// <summary>
/// This server's ownership of one online player: the renewed lock, its fencing token and the row loaded at
/// login. Dispose it on logout, after the last save.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class PlayerOwner : IAsyncDisposable
{
    private readonly ILockHandle _handle;
#pragma warning disable CA2213 // Ended stays readable after logout; the source owns no timer or wait handle, and End may race with DisposeAsync
    private readonly CancellationTokenSource _ended;
#pragma warning restore CA2213
    private readonly CancellationTokenRegistration _onLeaseLost;
    private string? _endReason;
    private int _disposed;

    internal PlayerOwner(ILockHandle handle, PlayerRecord loaded)
    {
        _handle = handle;
        Loaded = loaded;
        _ended = new CancellationTokenSource();
        _onLeaseLost = handle.LeaseLost.Register(static state => ((PlayerOwner)state!).End("the ownership lease was lost"), this);
    }

    /// <summary>The player.</summary>
    public long PlayerId => Loaded.PlayerId;

    /// <summary>The row as it was when this server claimed the player.</summary>
    public PlayerRecord Loaded { get; }

    /// <summary>The token every save of this owner carries.</summary>
    public long FencingToken => _handle.FencingToken;

    /// <summary>True while the lock is held and no save was rejected.</summary>
    public bool IsOwned => _endReason is null && _handle.IsHeld;

    /// <summary>Cancelled once when the ownership ends without a logout: the lease was lost or a save was rejected as stale.</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Why <see cref="Ended"/> fired; <see langword="null"/> while owned.</summary>
    public string? EndReason => Volatile.Read(ref _endReason);

    /// <summary>Releases the lock (logout). Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _onLeaseLost.DisposeAsync().ConfigureAwait(false);
        await _handle.DisposeAsync().ConfigureAwait(false);
    }

    internal void End(string reason)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is null)
        {
            _ended.Cancel();
        }
    }
}
