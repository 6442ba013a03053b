namespace Realm.Server.Protocol.Messages;

/// <summary>
/// The server did not accept where the client's input would have taken it (too fast, out of bounds):
/// this is where the entity is. Reliable ordered. Wire: input sequence (varuint), x, y (varint, cm).
/// </summary>
internal readonly record struct PositionCorrection(uint Sequence, int X, int Y) : IMessage<PositionCorrection>
{
    public static byte Id => MessageIds.PositionCorrection;

    public static bool TryRead(scoped ref PacketReader reader, out PositionCorrection message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint sequence) && r.TryReadVarInt32(out int x) && r.TryReadVarInt32(out int y))
        {
            reader = r;
            message = new PositionCorrection(sequence, x, y);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        writer.WriteVarUInt32(Sequence);
        writer.WriteVarInt32(X);
        writer.WriteVarInt32(Y);
    }
}
