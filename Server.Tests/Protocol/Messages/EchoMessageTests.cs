using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.Server.Tests.Protocol.Messages;

[TestFixture]
[CancelAfter(10_000)]
public sealed class EchoMessageTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(EchoMessage.MaxPayloadBytes)]
    public void WriteThenTryRead_AnyPayloadUpToTheCap_ReturnsTheSameMessage(int payloadBytes)
    {
        byte[] payload = new byte[payloadBytes];
        new Random(payloadBytes).NextBytes(payload);
        byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new EchoMessage(uint.MaxValue, long.MinValue, payload)));

        Assert.That(bytes[0], Is.EqualTo(MessageIds.Echo));
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead<EchoMessage>(ref reader, out EchoMessage back), Is.True);
        Assert.That(back.Sequence, Is.EqualTo(uint.MaxValue));
        Assert.That(back.SentAt, Is.EqualTo(long.MinValue));
        Assert.That(back.Payload.SequenceEqual(payload), Is.True);
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [Test]
    public void TryRead_PayloadOverTheCap_IsRejected()
    {
        // Hand-built: the writer refuses to produce it.
        byte[] bytes = PacketWriterTests.Write((ref w) =>
        {
            w.WriteByte(MessageIds.Echo);
            w.WriteVarUInt32(1);
            w.WriteInt64(2);
            w.WriteBytes(new byte[EchoMessage.MaxPayloadBytes + 1]);
        });
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead<EchoMessage>(ref reader, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void TryRead_OtherMessageId_IsRejectedWithoutConsuming()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new EchoMessage(5, 6, [7])));
        bytes[0] = 200;
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead<EchoMessage>(ref reader, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void Write_PayloadOverTheCap_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PacketWriterTests.Write((ref w) => Message.Write(ref w, new EchoMessage(1, 1, new byte[EchoMessage.MaxPayloadBytes + 1]))));
}
