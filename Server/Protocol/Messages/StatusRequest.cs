namespace Realm.Server.Protocol.Messages;

/// <summary>
/// Asks for the server's figures. Reliable ordered. Wire: request id (varuint), reset (bool: start the tick
/// histograms afresh after answering, for a load test's measured stage), interval (bool: give the tick
/// figures since the previous interval request instead of since the reset, for a time series).
/// </summary>
internal readonly record struct StatusRequest(uint RequestId, bool Reset, bool Interval = false) : IMessage<StatusRequest>
{
    public static byte Id => MessageIds.StatusRequest;

    public static bool TryRead(scoped ref PacketReader reader, out StatusRequest message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint id) && r.TryReadBool(out bool reset) && r.TryReadBool(out bool interval))
        {
            reader = r;
            message = new StatusRequest(id, reset, interval);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        writer.WriteVarUInt32(RequestId);
        writer.WriteBool(Reset);
        writer.WriteBool(Interval);
    }
}
