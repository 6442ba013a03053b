namespace Realm.Data.Ownership;

/// <summary>
/// Where players are kept: one database (<see cref="PlayerStore"/>) or shards
/// (<see cref="Sharding.PlayerRepository"/>). Every write is guarded by the owner's fencing token.
/// </summary>
public interface IPlayerStore
{
    /// <summary>Creates the player if new, records <paramref name="fence"/> as its owner's token, and loads it.</summary>
    /// <returns>The row, or <see langword="null"/> when a newer token is already stored (a newer owner claimed it).</returns>
    Task<PlayerRecord?> ClaimAsync(long playerId, string name, long fence, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="state"/> if <paramref name="fence"/> is not older than the stored token.</summary>
    /// <returns><see langword="true"/> when written; <see langword="false"/> when rejected as a stale owner's write.</returns>
    Task<bool> SaveAsync(long playerId, PlayerState state, long fence, CancellationToken cancellationToken = default);

    /// <summary>Loads the stored row, or <see langword="null"/> when the player does not exist.</summary>
    ValueTask<PlayerRecord?> LoadAsync(long playerId, CancellationToken cancellationToken = default);
}
