namespace Realm.Server.Net.Transport;

/// <summary>Why an incoming datagram (or a message in it) was dropped. Every drop is counted by reason in <see cref="NetHostStatistics"/>.</summary>
internal enum DropReason
{
    /// <summary>Empty, or a first byte that is no known packet kind.</summary>
    UnknownKind,

    /// <summary>Larger than <see cref="NetHostOptions.Mtu"/>.</summary>
    Oversized,

    /// <summary>A handshake packet that does not parse or is too short to answer without amplification.</summary>
    BadHandshake,

    /// <summary>A connect response whose cookie is wrong or expired.</summary>
    BadCookie,

    /// <summary>Over <see cref="NetHostOptions.MaxConnectAttemptsPerSecond"/> for its address.</summary>
    RateLimited,

    /// <summary>Data, ack or disconnect from an address with no peer.</summary>
    UnknownPeer,

    /// <summary>A data or ack header that does not parse, or a disconnect with the wrong token.</summary>
    BadHeader,

    /// <summary>Message framing inside a data datagram that does not parse (the rest of the datagram is dropped).</summary>
    BadFraming,

    /// <summary>A fragment that is inconsistent, too large, or over the reassembly limits.</summary>
    BadFragment,

    /// <summary>A message sequence number outside the receive window: the sender broke the window.</summary>
    OutOfWindow,

    /// <summary>The receive queue to the logic thread was full.</summary>
    ReceiveQueueFull,

    /// <summary>Data from a peer this host is not accepting connections for, or a connect request to a host that accepts none.</summary>
    NotAccepting,
}
