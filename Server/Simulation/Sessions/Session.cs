using Realm.Data.Ownership;
using Realm.Server.Simulation.World;

namespace Realm.Server.Simulation.Sessions;

/// <summary>One connected player. Owned by the logic thread.</summary>
internal sealed class Session(ISessionLink peer, PlayerIdentity identity)
{
    public ISessionLink Peer { get; } = peer;

    public PlayerIdentity Identity { get; } = identity;

    public SessionState State { get; set; } = SessionState.Claiming;

    /// <summary>This server's ownership of the player, once claimed; handed on to a newer session of the same player.</summary>
    public PlayerOwner? Owner { get; set; }

    /// <summary>The player's entity while playing.</summary>
    public Entity? Entity { get; set; }

    /// <summary>Start (ms, <see cref="Environment.TickCount64"/>) of the current 10 s chat window, and lines sent in it.</summary>
    public long ChatWindowStart { get; set; }

    public int ChatLines { get; set; }

    /// <summary>Start of the current one-minute violation window, and violations in it.</summary>
    public long ViolationWindowStart { get; set; }

    public int Violations { get; set; }
}
