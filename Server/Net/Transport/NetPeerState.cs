namespace Realm.Server.Net.Transport;

/// <summary>Where a peer is in its life.</summary>
internal enum NetPeerState
{
    /// <summary>A client waiting for the server's accept.</summary>
    Connecting,

    /// <summary>Messages flow both ways.</summary>
    Connected,

    /// <summary>Gone; its disconnect event has been or is about to be raised, and it accepts no more sends.</summary>
    Disconnected,
}
