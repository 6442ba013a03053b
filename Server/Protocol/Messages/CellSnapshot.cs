namespace Realm.Server.Protocol.Messages;

/// <summary>
/// Where every entity of one grid cell is at one tick (or a part of them: a crowded cell is split into parts
/// of at most <see cref="MaxEntries"/>, so a part fits one datagram). Unreliable sequenced. The server writes
/// each cell's snapshot once per tick and sends the same bytes to every observer of the cell.
/// Wire: server tick (varuint64), zone (varuint), cell (varuint), part (varuint), count (varuint), then
/// count × [entity (varuint), x (varint, cm), y (varint, cm)].
/// </summary>
internal readonly record struct CellSnapshot(ulong ServerTick, uint Zone, uint Cell, uint Part, uint Count) : IMessage<CellSnapshot>
{
    /// <summary>Entries per part: 64 × at most 15 bytes stays well inside a 1,200-byte datagram.</summary>
    public const int MaxEntries = 64;

    public static byte Id => MessageIds.CellSnapshot;

    /// <summary>Reads the header; the entries follow, read with <see cref="TryReadEntry"/>.</summary>
    public static bool TryRead(scoped ref PacketReader reader, out CellSnapshot message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt64(out ulong tick) && r.TryReadVarUInt32(out uint zone) && r.TryReadVarUInt32(out uint cell)
            && r.TryReadVarUInt32(out uint part) && r.TryReadVarUInt32(out uint count) && count <= MaxEntries)
        {
            reader = r;
            message = new CellSnapshot(tick, zone, cell, part, count);
            return true;
        }

        message = default;
        return false;
    }

    public static bool TryReadEntry(ref PacketReader reader, out uint entity, out int x, out int y)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out entity) && r.TryReadVarInt32(out x) && r.TryReadVarInt32(out y))
        {
            reader = r;
            return true;
        }

        x = y = 0;
        return false;
    }

    public static void WriteEntry(ref PacketWriter writer, uint entity, int x, int y)
    {
        writer.WriteVarUInt32(entity);
        writer.WriteVarInt32(x);
        writer.WriteVarInt32(y);
    }

    /// <summary>Writes the header; exactly <see cref="Count"/> entries must follow.</summary>
    public void Write(ref PacketWriter writer)
    {
        if (Count > MaxEntries)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Count), $"{Count} snapshot entries exceed {MaxEntries}");
        }

        writer.WriteVarUInt64(ServerTick);
        writer.WriteVarUInt32(Zone);
        writer.WriteVarUInt32(Cell);
        writer.WriteVarUInt32(Part);
        writer.WriteVarUInt32(Count);
    }
}
