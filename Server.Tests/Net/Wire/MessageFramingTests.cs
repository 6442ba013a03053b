using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Tests.Net.Wire;

[TestFixture]
[CancelAfter(30_000)]
public sealed class MessageFramingTests
{
    [Test]
    public void Write_LoneSmallUnreliableMessage_CostsOneByte()
    {
        byte[] bytes = Frame(w => w.Add(DeliveryMethod.Unreliable, 0, 0, 10));
        Assert.That(bytes, Has.Length.EqualTo(10 + 1));
    }

    [Test]
    public void Write_RunOfUnreliableOnAnotherChannel_CostsOneByteEachAfterTheSwitch()
    {
        byte[] bytes = Frame(w =>
        {
            for (int i = 0; i < 10; i++)
            {
                w.Add(DeliveryMethod.Unreliable, 5, 0, 20);
            }
        });
        Assert.That(bytes.Length - (10 * 20), Is.EqualTo(1 + 10), "one switch byte, then one length byte per message");
    }

    [Test]
    public void Write_RunOfReliableOrdered_CostsFourBytesThenOneEach()
    {
        byte[] bytes = Frame(w =>
        {
            for (ushort s = 65530; s != 4; s++) // crosses the wrap
            {
                w.Add(DeliveryMethod.ReliableOrdered, 3, s, 30);
            }
        });
        Assert.That(bytes.Length - (10 * 30), Is.EqualTo(4 + 9), "switch + 16-bit sequence + length, then a length byte per message");
        List<(DeliveryMethod, byte, ushort, int)> read = ReadAll(bytes);
        Assert.That(read.Select(m => m.Item3), Is.EqualTo(new ushort[] { 65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3 }));
    }

    [Test]
    public void Write_ReliableWithAGapInSequence_SwitchesAgainAtMostFourBytes()
    {
        byte[] bytes = Frame(w =>
        {
            w.Add(DeliveryMethod.ReliableUnordered, 0, 100, 8);
            w.Add(DeliveryMethod.ReliableUnordered, 0, 57, 8); // a resend of an older message
        });
        Assert.That(bytes.Length - 16, Is.EqualTo(4 + 4));
        Assert.That(ReadAll(bytes).Select(m => m.Item3), Is.EqualTo(new ushort[] { 100, 57 }));
    }

    [Test]
    public void WriteThenRead_RandomMixes_RoundTripExactly()
    {
        var random = new Random(31337);
        for (int round = 0; round < 3_000; round++)
        {
            var sent = new List<(DeliveryMethod Method, byte Channel, ushort Sequence, byte[] Payload)>();
            int count = random.Next(1, 30);
            ushort sequence = (ushort)random.Next(65536);
            for (int i = 0; i < count; i++)
            {
                var method = (DeliveryMethod)random.Next(5);
                byte channel = (byte)(random.Next(4) == 0 ? random.Next(8) : 0);
                sequence = random.Next(3) == 0 ? (ushort)random.Next(65536) : (ushort)(sequence + 1);
                byte[] payload = new byte[random.Next(4) == 0 ? random.Next(300) : random.Next(40)];
                random.NextBytes(payload);
                sent.Add((method, channel, method == DeliveryMethod.Unreliable ? (ushort)0 : sequence, payload));
            }

            var writer = new PacketWriter(new byte[64]);
            var frames = default(MessageFrameWriter);
            int overheadBudget = 0;
            foreach (var m in sent)
            {
                frames.Write(ref writer, m.Method, m.Channel, m.Sequence, m.Payload);
                overheadBudget += MessageFrameWriter.MaxOverhead(m.Payload.Length);
            }

            byte[] bytes = writer.Written.ToArray();
            writer.Dispose();
            Assert.That(bytes.Length - sent.Sum(m => m.Payload.Length), Is.LessThanOrEqualTo(overheadBudget));

            var reader = new MessageFrameReader(bytes);
            foreach (var m in sent)
            {
                Assert.That(reader.TryReadNext(out FramedMessage got), Is.EqualTo(FrameReadStatus.Message), $"round {round}");
                Assert.That((got.Method, got.Channel, got.Sequence), Is.EqualTo((m.Method, m.Channel, m.Sequence)), $"round {round}");
                Assert.That(got.Payload.SequenceEqual(m.Payload), Is.True, $"round {round}");
            }

            Assert.That(reader.TryReadNext(out _), Is.EqualTo(FrameReadStatus.End));
        }
    }

    [TestCase(new byte[] { (5 << 1) | 1, 0, 0, 2, 7 }, TestName = "TryReadNext_UnknownMethod_IsMalformed")]
    [TestCase(new byte[] { 0x81, 0x01, 2, 7 }, TestName = "TryReadNext_ChannelBeyondEight_IsMalformed")]
    [TestCase(new byte[] { 10, 1, 2 }, TestName = "TryReadNext_LengthPastTheEnd_IsMalformed")]
    [TestCase(new byte[] { (3 << 1) | 1, 0, 0 }, TestName = "TryReadNext_SwitchAtTheEnd_IsMalformed")]
    [TestCase(new byte[] { (3 << 1) | 1, 0 }, TestName = "TryReadNext_TruncatedSequence_IsMalformed")]
    [TestCase(new byte[] { 1, 1, 0 }, TestName = "TryReadNext_SwitchAfterSwitch_IsMalformed")]
    [TestCase(new byte[] { 0x80 }, TestName = "TryReadNext_UnterminatedVarint_IsMalformed")]
    public void TryReadNext_Malformed_ReportsMalformedAndStaysMalformed(byte[] bytes)
    {
        var reader = new MessageFrameReader(bytes);
        Assert.That(reader.TryReadNext(out _), Is.EqualTo(FrameReadStatus.Malformed));
        Assert.That(reader.TryReadNext(out _), Is.EqualTo(FrameReadStatus.Malformed));
    }

    [Test]
    public void TryReadNext_RandomBytes_NeverThrowsAndAlwaysFinishes()
    {
        var random = new Random(1200);
        byte[] buffer = new byte[1200];
        int messages = 0;
        for (int i = 0; i < 20_000; i++)
        {
            int length = random.Next(buffer.Length);
            random.NextBytes(buffer.AsSpan(0, length));
            var reader = new MessageFrameReader(buffer.AsSpan(0, length));
            int steps = 0;
            FrameReadStatus status;
            while ((status = reader.TryReadNext(out FramedMessage m)) == FrameReadStatus.Message)
            {
                messages++;
                Assert.That(m.Payload.Length, Is.LessThanOrEqualTo(length));
                Assert.That(++steps, Is.LessThanOrEqualTo(length), "every message consumes at least one byte");
            }

            Assert.That(status, Is.AnyOf(FrameReadStatus.End, FrameReadStatus.Malformed));
        }

        Assert.That(messages, Is.GreaterThan(0), "random input also reaches the message path");
    }

    private static byte[] Frame(Action<FrameBuilder> build)
    {
        var builder = new FrameBuilder();
        build(builder);
        return builder.ToArray();
    }

    private static List<(DeliveryMethod, byte, ushort, int)> ReadAll(byte[] bytes)
    {
        var list = new List<(DeliveryMethod, byte, ushort, int)>();
        var reader = new MessageFrameReader(bytes);
        while (reader.TryReadNext(out FramedMessage m) == FrameReadStatus.Message)
        {
            list.Add((m.Method, m.Channel, m.Sequence, m.Payload.Length));
        }

        return list;
    }

    private sealed class FrameBuilder
    {
        private readonly List<(DeliveryMethod, byte, ushort, int)> _items = [];

        public void Add(DeliveryMethod method, byte channel, ushort sequence, int payloadBytes) => _items.Add((method, channel, sequence, payloadBytes));

        public byte[] ToArray()
        {
            var writer = new PacketWriter(new byte[16]);
            var frames = default(MessageFrameWriter);
            foreach ((DeliveryMethod method, byte channel, ushort sequence, int bytes) in _items)
            {
                frames.Write(ref writer, method, channel, sequence, new byte[bytes]);
            }

            byte[] result = writer.Written.ToArray();
            writer.Dispose();
            return result;
        }
    }
}
