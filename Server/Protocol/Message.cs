namespace Realm.Server.Protocol;

/// <summary>Frames messages as <c>[id][body]</c> and dispatches on the id, generically and without boxing.</summary>
internal static class Message
{
    /// <summary>Writes the id of <typeparamref name="T"/> and then the body.</summary>
    public static void Write<T>(ref PacketWriter writer, scoped in T message)
        where T : IMessage<T>, allows ref struct
    {
        writer.WriteByte(T.Id);
        message.Write(ref writer);
    }

    /// <summary>
    /// Reads a framed <typeparamref name="T"/>: false when the id is another message's or the body is
    /// malformed; the reader's position is then unchanged.
    /// </summary>
    public static bool TryRead<T>(scoped ref PacketReader reader, out T message)
        where T : IMessage<T>, allows ref struct
    {
        PacketReader probe = reader;
        if (probe.TryReadByte(out byte id) && id == T.Id && T.TryRead(ref probe, out message))
        {
            reader = probe;
            return true;
        }

        message = default!;
        return false;
    }
}
