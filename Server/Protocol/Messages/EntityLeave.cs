namespace Realm.Server.Protocol.Messages;

/// <summary>An entity left the client's area of interest (moved away, changed zone, logged out). Reliable ordered. Wire: entity (varuint).</summary>
internal readonly record struct EntityLeave(uint EntityId) : IMessage<EntityLeave>
{
    public static byte Id => MessageIds.EntityLeave;

    public static bool TryRead(scoped ref PacketReader reader, out EntityLeave message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint entity))
        {
            reader = r;
            message = new EntityLeave(entity);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer) => writer.WriteVarUInt32(EntityId);
}
