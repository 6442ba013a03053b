namespace Realm.Server.Protocol.Messages;

/// <summary>
/// A movement input: where the client wants its entity to be (its own prediction). The server checks it
/// against the speed cap and the zone's bounds and corrects it when it cannot be right. Unreliable sequenced
/// (only the newest matters). Wire: sequence (varuint), target x, y (varint, cm), client tick (varuint).
/// </summary>
internal readonly record struct MoveInput(uint Sequence, int X, int Y, uint ClientTick) : IMessage<MoveInput>
{
    public static byte Id => MessageIds.MoveInput;

    public static bool TryRead(scoped ref PacketReader reader, out MoveInput message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint sequence) && r.TryReadVarInt32(out int x) && r.TryReadVarInt32(out int y) && r.TryReadVarUInt32(out uint tick))
        {
            reader = r;
            message = new MoveInput(sequence, x, y, tick);
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
        writer.WriteVarUInt32(ClientTick);
    }
}
