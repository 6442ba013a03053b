using Realm.Server.Protocol;

namespace Realm.Server.Net.Wire;

/// <summary>
/// Reads the messages framed by <see cref="MessageFrameWriter"/> out of a data datagram, without copying:
/// each payload is a slice of the datagram. Never throws; anything a writer would not produce (an unknown
/// method, a length past the end, a switch not followed by a message) is <see cref="FrameReadStatus.Malformed"/>.
/// </summary>
internal ref struct MessageFrameReader
{
    private PacketReader _reader;
    private DeliveryMethod _method;
    private byte _channel;
    private ushort _sequence;
    private bool _malformed;

    /// <param name="framing">The bytes after the <see cref="DataHeader"/>.</param>
    public MessageFrameReader(ReadOnlySpan<byte> framing)
    {
        _reader = new PacketReader(framing);
        _method = DeliveryMethod.Unreliable;
        _channel = 0;
        _sequence = 0;
        _malformed = false;
    }

    public FrameReadStatus TryReadNext(out FramedMessage message)
    {
        message = default;
        if (_malformed)
        {
            return FrameReadStatus.Malformed;
        }

        if (_reader.IsAtEnd)
        {
            return FrameReadStatus.End;
        }

        if (!_reader.TryReadVarUInt32(out uint item))
        {
            return Fail();
        }

        if ((item & 1) != 0)
        {
            uint value = item >> 1;
            uint method = value & 7;
            uint channel = value >> 3;
            if (method == MessageFrameWriter.FragmentMarker && channel < MessageFrameWriter.Channels)
            {
                return ReadFragment((byte)channel, out message);
            }

            if (method > (uint)DeliveryMethod.ReliableSequenced || channel >= MessageFrameWriter.Channels)
            {
                return Fail();
            }

            _method = (DeliveryMethod)method;
            _channel = (byte)channel;
            if (_method != DeliveryMethod.Unreliable && !_reader.TryReadUInt16(out _sequence))
            {
                return Fail();
            }

            // A writer only switches right before a message.
            if (!_reader.TryReadVarUInt32(out item) || (item & 1) != 0)
            {
                return Fail();
            }
        }

        if (!_reader.TryReadRaw((int)Math.Min(item >> 1, int.MaxValue), out ReadOnlySpan<byte> payload))
        {
            return Fail();
        }

        ushort sequence = _method == DeliveryMethod.Unreliable ? (ushort)0 : _sequence++;
        message = new FramedMessage(_method, _channel, sequence, payload);
        return FrameReadStatus.Message;
    }

    private FrameReadStatus ReadFragment(byte channel, out FramedMessage message)
    {
        message = default;
        ushort sequence = 0;
        if (!_reader.TryReadByte(out byte method) || method > (byte)DeliveryMethod.ReliableSequenced
            || (method != (byte)DeliveryMethod.Unreliable && !_reader.TryReadUInt16(out sequence))
            || !_reader.TryReadVarUInt32(out uint group) || group > ushort.MaxValue
            || !_reader.TryReadVarUInt32(out uint count) || count < 2 || count > int.MaxValue
            || !_reader.TryReadVarUInt32(out uint index) || index >= count
            || !_reader.TryReadVarUInt32(out uint total) || total > int.MaxValue
            || !_reader.TryReadVarUInt32(out uint item) || (item & 1) != 0
            || !_reader.TryReadRaw((int)Math.Min(item >> 1, int.MaxValue), out ReadOnlySpan<byte> payload))
        {
            return Fail();
        }

        _method = (DeliveryMethod)method;
        _channel = channel;
        _sequence = (ushort)(sequence + 1);
        message = new FramedMessage(_method, channel, sequence, payload, new FragmentInfo((ushort)group, (int)count, (int)index, (int)total));
        return FrameReadStatus.Message;
    }

    private FrameReadStatus Fail()
    {
        _malformed = true;
        return FrameReadStatus.Malformed;
    }
}
