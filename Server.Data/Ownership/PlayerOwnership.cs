using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Locking;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Data.Ownership;

/// <summary>
/// One owner per player across every game server. A login claims the player: it takes the player's lock
/// (waiting up to <see cref="PlayerOwnershipOptions.LoginWait"/> for another server to let go), records the
/// lock's fencing token in the player's row, then loads the row. Every save carries the token, and the
/// database rejects a save whose token is older than the stored one.
/// </summary>
/// <remarks>
/// <para>This closes the item-duplication window of a player moving between servers: an old owner that
/// paused (GC, VM stall) past its lease and then saves is refused by the database, even when it still
/// believes it holds the lock, and even before the new owner's first save (the claim already stored the newer
/// token). The refusal is logged as "stale owner" and ends the old owner (<see cref="PlayerOwner.Ended"/>).</para>
/// <para>A save after the lease was lost but before anyone else claimed the player is accepted, deliberately:
/// nobody else has changed the player, so keeping the latest state loses nothing.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class PlayerOwnership
{
    private readonly IDistributedLock _locks;
    private readonly IPlayerStore _store;
    private readonly PlayerOwnershipOptions _options;
    private readonly ILogger _logger;

    /// <summary>Claims through <paramref name="locks"/> and stores through <paramref name="store"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public PlayerOwnership(IDistributedLock locks, IPlayerStore store, PlayerOwnershipOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(store);
        options ??= new PlayerOwnershipOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), "ownership options: " + string.Join("; ", errors));
        }

        _locks = locks;
        _store = store;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The lock resource of a player: <c>player:{id}</c>.</summary>
    public static string Resource(long playerId) => string.Create(CultureInfo.InvariantCulture, $"player:{playerId}");

    /// <summary>Claims <paramref name="playerId"/> for this server (login). Creates the player's row when new.</summary>
    /// <param name="playerId">The player.</param>
    /// <param name="name">The name to create a new player with.</param>
    /// <param name="cancellationToken">Abandons the claim; a lock already taken is released.</param>
    public async Task<ClaimResult> ClaimAsync(long playerId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        string resource = Resource(playerId);
        LockAcquisition acquisition = await _locks.TryAcquireAsync(resource, _options.Lease, _options.LoginWait, cancellationToken).ConfigureAwait(false);
        if (acquisition.Status == LockStatus.HeldElsewhere)
        {
            OwnershipLog.ClaimRefused(_logger, playerId, acquisition.Reason!);
            return new ClaimResult(ClaimStatus.OwnedElsewhere, null, "still logged in elsewhere");
        }

        if (!acquisition.Acquired)
        {
            OwnershipLog.ClaimFailed(_logger, playerId, acquisition.Reason!);
            return new ClaimResult(ClaimStatus.Unavailable, null, "login service unavailable, try again");
        }

        ILockHandle handle = acquisition.Handle!;
        bool keep = false;
        try
        {
            PlayerRecord? record = await _store.ClaimAsync(playerId, name, handle.FencingToken, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                // The row carries a newer token than the lock just handed out: the lock service lost its state
                // (e.g. a Redis restart) while another server still owns the player. The database is the arbiter.
                OwnershipLog.StaleClaim(_logger, playerId, handle.FencingToken);
                return new ClaimResult(ClaimStatus.OwnedElsewhere, null, "still logged in elsewhere");
            }

            keep = true;
#pragma warning disable CA2000 // the owner goes to the caller, who disposes it on logout
            return new ClaimResult(ClaimStatus.Owned, new PlayerOwner(handle, record.Value), null);
#pragma warning restore CA2000
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolTimeoutException or PoolUnavailableException)
        {
            OwnershipLog.ClaimFailed(_logger, playerId, e.Message);
            return new ClaimResult(ClaimStatus.Unavailable, null, "login service unavailable, try again");
        }
        finally
        {
            if (!keep)
            {
                await handle.ReleaseAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Saves the player's state with the owner's fencing token. A rejection means a newer owner exists: it is
    /// logged as "stale owner", and <paramref name="owner"/> ends.
    /// </summary>
    public async Task<SaveResult> SaveAsync(PlayerOwner owner, PlayerState state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        bool written;
        try
        {
            written = await _store.SaveAsync(owner.PlayerId, state, owner.FencingToken, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolTimeoutException or PoolUnavailableException)
        {
            OwnershipLog.SaveFailed(_logger, owner.PlayerId, e.Message);
            return new SaveResult(SaveOutcome.Failed, e.Message);
        }

        if (written)
        {
            return new SaveResult(SaveOutcome.Saved);
        }

        OwnershipLog.StaleOwner(_logger, owner.PlayerId, owner.FencingToken);
        owner.End("stale owner: a newer owner claimed the player");
        return new SaveResult(SaveOutcome.StaleOwner);
    }
}
