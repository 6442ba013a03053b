namespace Realm.Server.Net.Transport;

/// <summary>Why a peer was disconnected. Exactly one disconnect event is raised per peer.</summary>
internal enum DisconnectReason : byte
{
    /// <summary>Nothing heard from the peer for <see cref="NetHostOptions.DisconnectTimeout"/>.</summary>
    Timeout = 1,

    /// <summary>The other side disconnected gracefully; its data comes with the event.</summary>
    RemoteDisconnect = 2,

    /// <summary>This side called <see cref="NetPeer.Disconnect"/>.</summary>
    LocalDisconnect = 3,

    /// <summary>The server's application rejected the connect request; its reason comes with the event.</summary>
    Rejected = 4,

    /// <summary>The server has <see cref="NetHostOptions.MaxPeers"/> peers.</summary>
    ServerFull = 5,

    /// <summary>The two ends use different <see cref="NetHostOptions.ProtocolId"/> values.</summary>
    ProtocolMismatch = 6,

    /// <summary>No answer to the connect request within <see cref="NetHostOptions.ConnectTimeout"/>.</summary>
    ConnectTimeout = 7,

    /// <summary>This host was stopped.</summary>
    HostStopped = 8,
}
