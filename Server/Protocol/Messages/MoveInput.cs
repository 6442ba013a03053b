namespace Realm.Server.Protocol.Messages;

/// <summary>
/// A movement input: walk towards a direction at a fraction of full speed, until the next input. Unreliable
/// sequenced (only the newest matters). Wire: sequence (varuint), direction x, y (varint, −1000..1000 per
/// axis; the length is clamped to 1000 = full speed), client tick (varuint).
/// </summary>
internal readonly record struct MoveInput(uint Sequence, int DirectionX, int DirectionY, uint ClientTick) : IMessage<MoveInput>
{
    /// <summary>Full speed, in the direction's units.</summary>
    public const int FullScale = 1000;

    public static byte Id => MessageIds.MoveInput;

    public static bool TryRead(scoped ref PacketReader reader, out MoveInput message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint sequence) && r.TryReadVarInt32(out int dx) && r.TryReadVarInt32(out int dy) && r.TryReadVarUInt32(out uint tick)
            && dx is >= -FullScale and <= FullScale && dy is >= -FullScale and <= FullScale)
        {
            reader = r;
            message = new MoveInput(sequence, dx, dy, tick);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        writer.WriteVarUInt32(Sequence);
        writer.WriteVarInt32(DirectionX);
        writer.WriteVarInt32(DirectionY);
        writer.WriteVarUInt32(ClientTick);
    }
}
