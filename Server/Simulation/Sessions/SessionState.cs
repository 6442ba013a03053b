namespace Realm.Server.Simulation.Sessions;

/// <summary>Where a session is in its life.</summary>
internal enum SessionState
{
    /// <summary>Connected; the player's ownership is being claimed in the data tier.</summary>
    Claiming,

    /// <summary>Owned and spawned in a zone.</summary>
    Playing,

    /// <summary>Being disconnected; no further game messages are handled.</summary>
    Closing,
}
