using Realm.Server.Protocol;

namespace Realm.Server.Net.Wire;

/// <summary>
/// Frames messages inside one data datagram, after its <see cref="DataHeader"/>. Every item starts with
/// a varint V:
/// <list type="bullet">
/// <item>V even: a message of V/2 payload bytes follows, on the current method and channel. For every
/// method but <see cref="DeliveryMethod.Unreliable"/> it takes the current sequence number, which then
/// advances by one.</item>
/// <item>V odd: a switch. V/2 = channel × 8 + method; for every method but Unreliable a 16-bit base
/// sequence number follows.</item>
/// </list>
/// <item>V odd with method value <see cref="FragmentMarker"/>: a fragment of a larger message follows:
/// a byte with its real method, a 16-bit sequence number (not for Unreliable), then varints group id,
/// fragment count, fragment index and the whole message's length, then the fragment as a message item.</item>
/// A datagram starts as Unreliable on channel 0. A switch is written only when the method, the channel
/// or the expected sequence number changes, so a run of messages costs one byte of framing each
/// (payloads under 64 bytes), and a reliable message that needs a switch costs at most 4 bytes:
/// 1 (switch) + 2 (sequence) + 1 (length).
/// </summary>
/// <remarks>One per datagram being built; a plain struct with no allocation.</remarks>
internal struct MessageFrameWriter
{
    /// <summary>Channels per delivery method.</summary>
    public const int Channels = 8;

    /// <summary>Method value in a switch that announces a fragment (methods use 0–4).</summary>
    public const int FragmentMarker = 7;

    /// <summary>Most framing bytes a fragment can take besides its payload length prefix.</summary>
    public const int MaxFragmentHeaderBytes = 2 + 1 + 2 + 3 + 3 + 3 + 5;

    private DeliveryMethod _method;
    private byte _channel;
    private ushort _nextSequence;

    /// <summary>Framing bytes <see cref="Write"/> may add for a payload of <paramref name="payloadLength"/>, at most.</summary>
    public static int MaxOverhead(int payloadLength) => 1 + sizeof(ushort) + VarInt.Length((uint)payloadLength << 1);

    /// <summary>Framing bytes <see cref="WriteFragment"/> may add for a fragment of <paramref name="payloadLength"/>, at most.</summary>
    public static int MaxFragmentOverhead(int payloadLength) => MaxFragmentHeaderBytes + VarInt.Length((uint)payloadLength << 1);

    /// <summary>Appends one fragment of a larger message; always with its own switch.</summary>
    public void WriteFragment(ref PacketWriter writer, DeliveryMethod method, byte channel, ushort sequence, FragmentInfo fragment, ReadOnlySpan<byte> payload)
    {
        if (channel >= Channels || (byte)method > (byte)DeliveryMethod.ReliableSequenced)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(channel), $"method {method} on channel {channel}: there are {Channels} channels and five methods");
        }

        writer.WriteVarUInt32((uint)((((channel * 8) + FragmentMarker) << 1) | 1));
        writer.WriteByte((byte)method);
        bool sequenced = method != DeliveryMethod.Unreliable;
        if (sequenced)
        {
            writer.WriteUInt16(sequence);
        }

        writer.WriteVarUInt32(fragment.Group);
        writer.WriteVarUInt32((uint)fragment.Count);
        writer.WriteVarUInt32((uint)fragment.Index);
        writer.WriteVarUInt32((uint)fragment.Total);
        writer.WriteVarUInt32((uint)payload.Length << 1);
        writer.WriteRaw(payload);
        _method = method;
        _channel = channel;
        _nextSequence = (ushort)(sequence + 1);
    }

    /// <summary>Appends one message, with a switch first when the state it needs differs from the current one.</summary>
    /// <param name="writer">The datagram being built.</param>
    /// <param name="method">Delivery method.</param>
    /// <param name="channel">0 to <see cref="Channels"/> - 1.</param>
    /// <param name="sequence">The message's sequence number on its channel; ignored for Unreliable.</param>
    /// <param name="payload">The message bytes.</param>
    public void Write(ref PacketWriter writer, DeliveryMethod method, byte channel, ushort sequence, ReadOnlySpan<byte> payload)
    {
        if (channel >= Channels || (byte)method > (byte)DeliveryMethod.ReliableSequenced)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(channel), $"method {method} on channel {channel}: there are {Channels} channels and five methods");
        }

        bool sequenced = method != DeliveryMethod.Unreliable;
        if (method != _method || channel != _channel || (sequenced && sequence != _nextSequence))
        {
            writer.WriteVarUInt32((uint)((((channel * 8) + (int)method) << 1) | 1));
            if (sequenced)
            {
                writer.WriteUInt16(sequence);
            }

            _method = method;
            _channel = channel;
        }

        writer.WriteVarUInt32((uint)payload.Length << 1);
        writer.WriteRaw(payload);
        _nextSequence = (ushort)(sequence + 1);
    }
}
