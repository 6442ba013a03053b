namespace Realm.Server.Protocol.Messages;

/// <summary>A client asks to move to another zone. Reliable ordered. Wire: zone (varuint).</summary>
internal readonly record struct ZoneChange(uint Zone) : IMessage<ZoneChange>
{
    public static byte Id => MessageIds.ZoneChange;

    public static bool TryRead(scoped ref PacketReader reader, out ZoneChange message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint zone))
        {
            reader = r;
            message = new ZoneChange(zone);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer) => writer.WriteVarUInt32(Zone);
}
