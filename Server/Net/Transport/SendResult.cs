namespace Realm.Server.Net.Transport;

/// <summary>Outcome of <see cref="NetPeer.Send"/>: a status, never an exception, so a full queue is ordinary flow control.</summary>
internal enum SendResult
{
    /// <summary>Queued; it goes out with the next <see cref="NetHost.Flush"/>.</summary>
    Queued,

    /// <summary>The peer's send queue is full (the peer is slow or the link is congested); nothing was queued. Try again later or drop it.</summary>
    QueueFull,

    /// <summary>Larger than <see cref="NetHostOptions.MaxMessageBytes"/>; nothing was queued.</summary>
    TooLarge,

    /// <summary>The peer is not connected; nothing was queued.</summary>
    NotConnected,
}
