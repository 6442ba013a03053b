using Realm.Server.Simulation.Sessions;

namespace Realm.Server.Simulation.World;

/// <summary>A player's body in a zone. Positions are centimetres. Owned by the logic thread.</summary>
internal sealed class Entity(uint id, Session session)
{
    public uint Id { get; } = id;

    public Session Session { get; } = session;

    public Zone? Zone { get; set; }

    public int X { get; set; }

    public int Y { get; set; }

    /// <summary>The grid cell the entity is in, and its index in that cell's list (for O(1) removal).</summary>
    public int Cell { get; set; } = -1;

    public int IndexInCell { get; set; } = -1;

    /// <summary>The newest input not applied yet.</summary>
    public bool HasInput { get; set; }

    public int TargetX { get; set; }

    public int TargetY { get; set; }

    public uint InputSequence { get; set; }

    /// <summary>
    /// How far the entity may still move, in cm: refilled by the speed cap every tick up to half a second's
    /// worth, spent by applied moves. Inputs that arrive bunched (network jitter) spend what the quiet ticks
    /// before them saved; a teleport finds the budget too small and is corrected.
    /// </summary>
    public double MoveBudget { get; set; }
}
