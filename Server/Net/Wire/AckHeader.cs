using Realm.Server.Protocol;

namespace Realm.Server.Net.Wire;

/// <summary>
/// An ack-only datagram: kind, ack, inverted ack bits (as in <see cref="DataHeader"/>), and nothing else.
/// It has no sequence number, so it is never acknowledged and two idle peers cannot ping-pong acks.
/// </summary>
internal readonly record struct AckHeader(ushort Ack, ulong AckBits)
{
    public const int MaxBytes = 1 + 2 + VarInt.MaxBytes64;

    public void Write(ref PacketWriter writer)
    {
        writer.WriteByte((byte)PacketKind.Ack);
        writer.WriteUInt16(Ack);
        writer.WriteVarUInt64(~AckBits);
    }

    /// <summary>Reads a whole ack datagram; false for another kind, short input or trailing bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> datagram, out AckHeader header)
    {
        var r = new PacketReader(datagram);
        if (r.TryReadByte(out byte kind) && kind == (byte)PacketKind.Ack
            && r.TryReadUInt16(out ushort ack)
            && r.TryReadVarUInt64(out ulong missing)
            && r.IsAtEnd)
        {
            header = new AckHeader(ack, ~missing);
            return true;
        }

        header = default;
        return false;
    }
}
