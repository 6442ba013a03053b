using System.Numerics;
using Realm.Server.Protocol;

namespace Realm.Server.Tests.Protocol;

[TestFixture]
[CancelAfter(10_000)]
public sealed class PacketReaderTests
{
    [TestCase(new byte[] { 0x80, 0x00 }, TestName = "TryReadVarUInt32_PaddingGroup_IsRejected")]
    [TestCase(new byte[] { 0xFF, 0x80, 0x00 }, TestName = "TryReadVarUInt32_TrailingZeroGroup_IsRejected")]
    [TestCase(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x10 }, TestName = "TryReadVarUInt32_BitsBeyond32_AreRejected")]
    [TestCase(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, TestName = "TryReadVarUInt32_SixBytes_AreRejected")]
    [TestCase(new byte[] { 0x80 }, TestName = "TryReadVarUInt32_Unterminated_IsRejected")]
    [TestCase(new byte[0], TestName = "TryReadVarUInt32_Empty_IsRejected")]
    public void TryReadVarUInt32_Malformed_ReturnsFalseAndConsumesNothing(byte[] bytes)
    {
        var reader = new PacketReader(bytes);
        Assert.That(reader.TryReadVarUInt32(out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void TryReadVarUInt64_BitsBeyond64_AreRejected()
    {
        byte[] bytes = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02];
        var reader = new PacketReader(bytes);
        Assert.That(reader.TryReadVarUInt64(out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [TestCase((byte)2)]
    [TestCase((byte)0xFF)]
    public void TryReadBool_NeitherZeroNorOne_IsRejected(byte value)
    {
        var reader = new PacketReader([value]);
        Assert.That(reader.TryReadBool(out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void TryReadString_LongerThanItsCap_IsRejectedWithoutConsuming()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => w.WriteString("twelve bytes", 64));
        var reader = new PacketReader(bytes);
        Assert.That(reader.TryReadString(11, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
        Assert.That(reader.TryReadString(12, out string value), Is.True);
        Assert.That(value, Is.EqualTo("twelve bytes"));
    }

    [TestCase(new byte[] { 2, 0xC3, 0x28 }, TestName = "TryReadString_InvalidContinuationByte_IsRejected")]
    [TestCase(new byte[] { 1, 0xC3 }, TestName = "TryReadString_TruncatedSequence_IsRejected")]
    [TestCase(new byte[] { 2, 0xC0, 0xAF }, TestName = "TryReadString_OverlongEncoding_IsRejected")]
    [TestCase(new byte[] { 3, 0xED, 0xA0, 0x80 }, TestName = "TryReadString_EncodedSurrogate_IsRejected")]
    [TestCase(new byte[] { 5, (byte)'a' }, TestName = "TryReadString_LengthPastTheEnd_IsRejected")]
    public void TryReadString_Malformed_ReturnsFalseAndConsumesNothing(byte[] bytes)
    {
        var reader = new PacketReader(bytes);
        Assert.That(reader.TryReadString(64, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void TryReadBytes_LengthBeyondData_IsRejected()
    {
        var reader = new PacketReader([0xFF, 0xFF, 0xFF, 0xFF, 0x07, 1, 2, 3]);
        Assert.That(reader.TryReadBytes(int.MaxValue, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void EveryRead_OnEveryTruncationOfAValidPacket_ReturnsFalseOrAValueAndStaysInBounds()
    {
        byte[] full = PacketWriterTests.Write((ref w) =>
        {
            w.WriteVarUInt64(ulong.MaxValue);
            w.WriteString("名前 and more", 64);
            w.WriteFixedVector3(new Vector3(-1000.25f, 3.5f, 99999f), 100);
            w.WriteInt64(long.MinValue);
            w.WriteBytes([1, 2, 3, 4, 5]);
        });

        for (int cut = 0; cut < full.Length; cut++)
        {
            var reader = new PacketReader(full.AsSpan(0, cut));
            bool ok = reader.TryReadVarUInt64(out _)
                && reader.TryReadString(64, out _)
                && reader.TryReadFixedVector3(100, out _)
                && reader.TryReadInt64(out _)
                && reader.TryReadBytes(16, out _);
            Assert.That(ok, Is.False, $"a packet cut to {cut} of {full.Length} bytes must not read whole");
            Assert.That(reader.Position, Is.LessThanOrEqualTo(cut));
        }
    }
}
