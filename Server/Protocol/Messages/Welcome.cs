namespace Realm.Server.Protocol.Messages;

/// <summary>
/// The login is complete: the client's entity, where it stands, and the server's clock. Reliable ordered.
/// Wire: entity (varuint), player (varint64), zone (varuint), x, y (varint, cm), tick rate (varuint, Hz),
/// cell size (varuint, cm), server tick (varuint64).
/// </summary>
internal readonly record struct Welcome(uint EntityId, long PlayerId, uint Zone, int X, int Y, uint TickRate, uint CellSize, ulong ServerTick) : IMessage<Welcome>
{
    public static byte Id => MessageIds.Welcome;

    public static bool TryRead(scoped ref PacketReader reader, out Welcome message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint entity) && r.TryReadVarInt64(out long player) && r.TryReadVarUInt32(out uint zone)
            && r.TryReadVarInt32(out int x) && r.TryReadVarInt32(out int y) && r.TryReadVarUInt32(out uint rate)
            && r.TryReadVarUInt32(out uint cell) && r.TryReadVarUInt64(out ulong tick))
        {
            reader = r;
            message = new Welcome(entity, player, zone, x, y, rate, cell, tick);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        writer.WriteVarUInt32(EntityId);
        writer.WriteVarInt64(PlayerId);
        writer.WriteVarUInt32(Zone);
        writer.WriteVarInt32(X);
        writer.WriteVarInt32(Y);
        writer.WriteVarUInt32(TickRate);
        writer.WriteVarUInt32(CellSize);
        writer.WriteVarUInt64(ServerTick);
    }
}
