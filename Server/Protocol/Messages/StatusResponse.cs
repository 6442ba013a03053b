namespace Realm.Server.Protocol.Messages;

/// <summary>
/// The server's figures (durations in microseconds), since start or the last reset. Reliable ordered.
/// Wire: every field as a varint in declaration order.
/// </summary>
internal readonly record struct StatusResponse(
    uint RequestId,
    uint Ccu,
    ulong Ticks,
    ulong TickP50Us,
    ulong TickP99Us,
    ulong TickMaxUs,
    ulong LatenessP99Us,
    ulong LatenessMaxUs,
    ulong Overruns,
    uint InboundQueue,
    ulong AllocatedBytes,
    ulong Gen0Collections,
    ulong MessagesIn,
    ulong MessagesOut) : IMessage<StatusResponse>
{
    public static byte Id => MessageIds.StatusResponse;

    public static bool TryRead(scoped ref PacketReader reader, out StatusResponse message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint id) && r.TryReadVarUInt32(out uint ccu) && r.TryReadVarUInt64(out ulong ticks)
            && r.TryReadVarUInt64(out ulong p50) && r.TryReadVarUInt64(out ulong p99) && r.TryReadVarUInt64(out ulong max)
            && r.TryReadVarUInt64(out ulong lateP99) && r.TryReadVarUInt64(out ulong lateMax) && r.TryReadVarUInt64(out ulong overruns)
            && r.TryReadVarUInt32(out uint inbound) && r.TryReadVarUInt64(out ulong allocated) && r.TryReadVarUInt64(out ulong gen0)
            && r.TryReadVarUInt64(out ulong messagesIn) && r.TryReadVarUInt64(out ulong messagesOut))
        {
            reader = r;
            message = new StatusResponse(id, ccu, ticks, p50, p99, max, lateP99, lateMax, overruns, inbound, allocated, gen0, messagesIn, messagesOut);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        writer.WriteVarUInt32(RequestId);
        writer.WriteVarUInt32(Ccu);
        writer.WriteVarUInt64(Ticks);
        writer.WriteVarUInt64(TickP50Us);
        writer.WriteVarUInt64(TickP99Us);
        writer.WriteVarUInt64(TickMaxUs);
        writer.WriteVarUInt64(LatenessP99Us);
        writer.WriteVarUInt64(LatenessMaxUs);
        writer.WriteVarUInt64(Overruns);
        writer.WriteVarUInt32(InboundQueue);
        writer.WriteVarUInt64(AllocatedBytes);
        writer.WriteVarUInt64(Gen0Collections);
        writer.WriteVarUInt64(MessagesIn);
        writer.WriteVarUInt64(MessagesOut);
    }
}
