namespace Realm.Server.Net.Wire;

/// <summary>One message read out of a data datagram; <see cref="Payload"/> is a slice of the datagram.</summary>
internal readonly ref struct FramedMessage
{
    public FramedMessage(DeliveryMethod method, byte channel, ushort sequence, ReadOnlySpan<byte> payload)
        : this(method, channel, sequence, payload, default)
    {
    }

    public FramedMessage(DeliveryMethod method, byte channel, ushort sequence, ReadOnlySpan<byte> payload, FragmentInfo fragment)
    {
        Method = method;
        Channel = channel;
        Sequence = sequence;
        Payload = payload;
        Fragment = fragment;
    }

    public DeliveryMethod Method { get; }

    public byte Channel { get; }

    /// <summary>Message sequence number on its channel; 0 and meaningless for <see cref="DeliveryMethod.Unreliable"/>.</summary>
    public ushort Sequence { get; }

    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>Where this piece belongs when it is a fragment of a larger message; <see cref="FragmentInfo.IsFragment"/> false otherwise.</summary>
    public FragmentInfo Fragment { get; }
}
