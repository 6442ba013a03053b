using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Benchmarks.Net;

/// <summary>
/// Question: what do Realm's datagram header (6 bytes with acks) plus one framed reliable message cost to
/// write and read back, against a fixed-width header of the LiteNetLib kind written with
/// <see cref="BinaryPrimitives"/> (kind, sequence, ack, 64-bit ack bits, channel, length: 16 bytes)?
/// The baseline is the least work a fixed layout can do; the varint header trades a little of that
/// for 10 fewer bytes on every datagram.
/// </summary>
[MemoryDiagnoser]
public class DatagramHeaderBenchmarks
{
    private readonly byte[] _datagram = new byte[1200];
    private readonly byte[] _payload = new byte[32];
    private ushort _sequence = 40_000;

    [Benchmark(Baseline = true)]
    public int FixedWidthHeader()
    {
        Span<byte> d = _datagram;
        ushort sequence = _sequence++;
        d[0] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(d[1..], sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(d[3..], (ushort)(sequence - 3));
        BinaryPrimitives.WriteUInt64LittleEndian(d[5..], ulong.MaxValue);
        d[13] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], (ushort)_payload.Length);
        _payload.CopyTo(d[16..]);
        int written = 16 + _payload.Length;

        ReadOnlySpan<byte> r = d[..written];
        ushort readSequence = BinaryPrimitives.ReadUInt16LittleEndian(r[1..]);
        ushort ack = BinaryPrimitives.ReadUInt16LittleEndian(r[3..]);
        ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(r[5..]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(r[14..]);
        return readSequence + ack + (int)(bits & 1) + r.Slice(16, length)[0];
    }

    [Benchmark]
    public int RealmHeaderAndFrame()
    {
        ushort sequence = _sequence++;
        Span<byte> buffer = _datagram;
        var writer = new PacketWriter(buffer, buffer.Length);
        new DataHeader(sequence, (ushort)(sequence - 3), ulong.MaxValue).Write(ref writer);
        var frames = default(MessageFrameWriter);
        frames.Write(ref writer, DeliveryMethod.ReliableOrdered, 0, sequence, _payload);
        int written = writer.Length;
        writer.Dispose();

        var reader = new PacketReader(buffer[..written]);
        if (!DataHeader.TryRead(ref reader, out DataHeader header))
        {
            throw new InvalidOperationException("header did not read back");
        }

        var frameReader = new MessageFrameReader(buffer[(written - reader.Remaining)..written]);
        if (frameReader.TryReadNext(out FramedMessage message) != FrameReadStatus.Message)
        {
            throw new InvalidOperationException("frame did not read back");
        }

        return header.Sequence + header.Ack + (int)(header.AckBits & 1) + message.Payload[0];
    }
}
