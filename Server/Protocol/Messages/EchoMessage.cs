namespace Realm.Server.Protocol.Messages;

/// <summary>
/// A round-trip probe: an echo host returns it unchanged, so the sender measures the round trip from
/// <see cref="SentAt"/>. Wire: sequence (varint), sent-at (int64, sender's clock ticks), payload (bytes).
/// </summary>
internal readonly ref struct EchoMessage : IMessage<EchoMessage>
{
    /// <summary>Largest payload accepted: one message must fit a 1,200-byte datagram with its headers.</summary>
    public const int MaxPayloadBytes = 1024;

    public EchoMessage(uint sequence, long sentAt, ReadOnlySpan<byte> payload)
    {
        Sequence = sequence;
        SentAt = sentAt;
        Payload = payload;
    }

    public static byte Id => MessageIds.Echo;

    public uint Sequence { get; }

    public long SentAt { get; }

    /// <summary>The payload; when read, a slice of the datagram, valid while that buffer is.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public static bool TryRead(scoped ref PacketReader reader, out EchoMessage message)
    {
        PacketReader r = reader;
        if (r.TryReadVarUInt32(out uint sequence) && r.TryReadInt64(out long sentAt) && r.TryReadBytes(MaxPayloadBytes, out ReadOnlySpan<byte> payload))
        {
            reader = r;
            message = new EchoMessage(sequence, sentAt, payload);
            return true;
        }

        message = default;
        return false;
    }

    public void Write(ref PacketWriter writer)
    {
        if (Payload.Length > MaxPayloadBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(Payload), $"echo payload of {Payload.Length} bytes exceeds {MaxPayloadBytes}");
        }

        writer.WriteVarUInt32(Sequence);
        writer.WriteInt64(SentAt);
        writer.WriteBytes(Payload);
    }
}
