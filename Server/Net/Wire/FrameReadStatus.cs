namespace Realm.Server.Net.Wire;

/// <summary>Outcome of <see cref="MessageFrameReader.TryReadNext"/>.</summary>
internal enum FrameReadStatus
{
    /// <summary>A message was read.</summary>
    Message,

    /// <summary>The datagram is used up, cleanly.</summary>
    End,

    /// <summary>The rest of the datagram is not valid framing: count it and drop the datagram's remainder.</summary>
    Malformed,
}
