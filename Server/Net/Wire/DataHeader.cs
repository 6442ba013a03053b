using Realm.Server.Net.Reliability;
using Realm.Server.Protocol;

namespace Realm.Server.Net.Wire;

/// <summary>
/// Header of every data datagram: kind byte, the datagram's own sequence number, and the
/// acknowledgement of the peer's datagrams (<see cref="ReceiveWindow"/>) — acks ride on every datagram,
/// so no separate ack datagram is needed while there is traffic back. The ack bits are sent inverted as
/// a varint: with nothing missing they are 0 and take one byte, so the usual header is 6 bytes.
/// </summary>
internal readonly record struct DataHeader(ushort Sequence, ushort Ack, ulong AckBits)
{
    /// <summary>Largest encoded size: kind + sequence + ack + a 10-byte varint.</summary>
    public const int MaxBytes = 1 + 2 + 2 + VarInt.MaxBytes64;

    public void Write(ref PacketWriter writer)
    {
        writer.WriteByte((byte)PacketKind.Data);
        writer.WriteUInt16(Sequence);
        writer.WriteUInt16(Ack);
        writer.WriteVarUInt64(~AckBits);
    }

    /// <summary>Reads a data header; false for another kind, set flag bits, or short input.</summary>
    public static bool TryRead(ref PacketReader reader, out DataHeader header)
    {
        PacketReader r = reader;
        if (r.TryReadByte(out byte kind) && kind == (byte)PacketKind.Data
            && r.TryReadUInt16(out ushort sequence)
            && r.TryReadUInt16(out ushort ack)
            && r.TryReadVarUInt64(out ulong missing))
        {
            reader = r;
            header = new DataHeader(sequence, ack, ~missing);
            return true;
        }

        header = default;
        return false;
    }
}
