namespace Realm.Server.Protocol;

/// <summary>
/// A wire message: a struct with a static id, a <see cref="Write"/> and a static <see cref="TryRead"/>.
/// No reflection and no boxing: callers are generic over <typeparamref name="TSelf"/>, and a message may
/// be a <c>ref struct</c> that carries a span of the datagram it was read from.
/// </summary>
internal interface IMessage<TSelf>
    where TSelf : IMessage<TSelf>, allows ref struct
{
    /// <summary>The byte that precedes the message on the wire (see <see cref="MessageIds"/>).</summary>
    static abstract byte Id { get; }

    /// <summary>Writes the body (not the id).</summary>
    void Write(ref PacketWriter writer);

    /// <summary>Reads a body written by <see cref="Write"/>; false on short or malformed input, never throws.</summary>
    static abstract bool TryRead(scoped ref PacketReader reader, out TSelf message);
}
