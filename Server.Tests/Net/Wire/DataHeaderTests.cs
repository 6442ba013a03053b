using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Tests.Protocol;

namespace Realm.Server.Tests.Net.Wire;

[TestFixture]
[CancelAfter(10_000)]
public sealed class DataHeaderTests
{
    [Test]
    public void Write_NothingMissing_IsSixBytes()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => new DataHeader(0x1234, 0xABCD, ulong.MaxValue).Write(ref w));
        Assert.That(bytes, Is.EqualTo(new byte[] { (byte)PacketKind.Data, 0x34, 0x12, 0xCD, 0xAB, 0x00 }));
    }

    [TestCase(0UL)]
    [TestCase(1UL)]
    [TestCase(0x8000_0000_0000_0000UL)]
    [TestCase(0xFFFF_FFFF_FFFF_FFFEUL)]
    [TestCase(0x5555_AAAA_5555_AAAAUL)]
    public void WriteThenTryRead_AnyAckBits_RoundTrip(ulong bits)
    {
        var header = new DataHeader(65535, 0, bits);
        byte[] bytes = PacketWriterTests.Write((ref w) => header.Write(ref w));
        Assert.That(bytes, Has.Length.LessThanOrEqualTo(DataHeader.MaxBytes));
        var reader = new PacketReader(bytes);
        Assert.That(DataHeader.TryRead(ref reader, out DataHeader back), Is.True);
        Assert.That(back, Is.EqualTo(header));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [TestCase((byte)PacketKind.ConnectRequest)]
    [TestCase((byte)(PacketKind.Data | (PacketKind)0x10))]
    [TestCase((byte)0)]
    public void TryRead_NotAPlainDataKind_IsRejectedWithoutConsuming(byte kind)
    {
        var reader = new PacketReader([kind, 1, 0, 2, 0, 0]);
        Assert.That(DataHeader.TryRead(ref reader, out _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void TryRead_Truncated_IsRejected()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => new DataHeader(1, 2, 3).Write(ref w));
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var reader = new PacketReader(bytes.AsSpan(0, cut));
            Assert.That(DataHeader.TryRead(ref reader, out _), Is.False, $"cut at {cut}");
        }
    }
}
