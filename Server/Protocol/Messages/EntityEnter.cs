namespace Realm.Server.Protocol.Messages;

/// <summary>
/// An entity came into the client's area of interest. Reliable ordered. Wire: entity (varuint), player
/// (varint64), x, y (varint, cm), name (UTF-8, at most <see cref="MaxNameBytes"/>).
/// </summary>
internal readonly ref struct EntityEnter : IMessage<EntityEnter>
{
    public const int MaxNameBytes = 32;

    public EntityEnter(uint entityId, long playerId, int x, int y, ReadOnlySpan<byte> name)
    {
        EntityId = entityId;
        PlayerId = playerId;
        X = x;
        Y = y;
        Name = name;
    }

    public static byte Id => MessageIds.EntityEnter;

    public uint EntityId { get; }

    public long PlayerId { get; }

    public int X { get; }

    public int Y { get; }

    /// <summary>UTF-8 display name.</summary>
    public ReadOnlySpan<byte> Name { get; }

    public static bool TryRead(scoped ref PacketReader reader, out EntityEnter message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint entity) && r.TryReadVarInt64(out long player) && r.TryReadVarInt32(out int x) && r.TryReadVarInt32(out int y)
            && r.TryReadUtf8(MaxNameBytes, out ReadOnlySpan<byte> name))
        {
            reader = r;
            message = new EntityEnter(entity, player, x, y, name);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (Name.Length > MaxNameBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Name), $"name of {Name.Length} bytes exceeds {MaxNameBytes}");
        }

        writer.WriteVarUInt32(EntityId);
        writer.WriteVarInt64(PlayerId);
        writer.WriteVarInt32(X);
        writer.WriteVarInt32(Y);
        writer.WriteBytes(Name);
    }
}
