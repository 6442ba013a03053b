namespace Realm.Data.Ownership;

/// <summary>The part of a player that a save writes.</summary>
/// <param name="Zone">Zone.</param>
/// <param name="X">Position, x.</param>
/// <param name="Y">Position, y.</param>
/// <param name="Gold">Currency.</param>
public readonly record struct PlayerState(int Zone, int X, int Y, long Gold);
