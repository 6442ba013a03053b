namespace Realm.Data.Ownership;

/// <summary>A player's stored row, as loaded at login.</summary>
/// <param name="PlayerId">The player.</param>
/// <param name="Name">Display name.</param>
/// <param name="Zone">Zone the player was last in.</param>
/// <param name="X">Last position, x (fixed-point world units).</param>
/// <param name="Y">Last position, y.</param>
/// <param name="Gold">Currency.</param>
/// <param name="Fence">Fencing token of the owner that last claimed or saved the player.</param>
public readonly record struct PlayerRecord(long PlayerId, string Name, int Zone, int X, int Y, long Gold, long Fence);
