using System.Numerics;
using Realm.Server.Protocol;

namespace Realm.Server.Tests.Protocol;

[TestFixture]
[CancelAfter(10_000)]
public sealed class PacketWriterTests
{
    // Expected bytes from the Protocol Buffers encoding guide (LEB128 varints, zig-zag).
    [TestCase(0u, new byte[] { 0x00 })]
    [TestCase(1u, new byte[] { 0x01 })]
    [TestCase(127u, new byte[] { 0x7F })]
    [TestCase(128u, new byte[] { 0x80, 0x01 })]
    [TestCase(150u, new byte[] { 0x96, 0x01 })]
    [TestCase(300u, new byte[] { 0xAC, 0x02 })]
    [TestCase(16_383u, new byte[] { 0xFF, 0x7F })]
    [TestCase(16_384u, new byte[] { 0x80, 0x80, 0x01 })]
    [TestCase(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void WriteVarUInt32_KnownValues_ProduceTheLeb128Bytes(uint value, byte[] expected)
    {
        Assert.That(Write((ref w) => w.WriteVarUInt32(value)), Is.EqualTo(expected));
        Assert.That(Write((ref w) => w.WriteVarUInt64(value)), Is.EqualTo(expected), "the 64-bit form of a small value is the same bytes");
    }

    [Test]
    public void WriteVarUInt64_MaxValue_IsTenBytesEndingInOne() =>
        Assert.That(Write((ref w) => w.WriteVarUInt64(ulong.MaxValue)), Is.EqualTo(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }));

    [TestCase(0, 0u)]
    [TestCase(-1, 1u)]
    [TestCase(1, 2u)]
    [TestCase(-2, 3u)]
    [TestCase(int.MaxValue, 4_294_967_294u)]
    [TestCase(int.MinValue, 4_294_967_295u)]
    public void ZigZag_KnownValues_MapAsDocumented(int value, uint expected)
    {
        Assert.That(VarInt.ZigZag(value), Is.EqualTo(expected));
        Assert.That(VarInt.UnZigZag(expected), Is.EqualTo(value));
        Assert.That(VarInt.ZigZag((long)value), Is.EqualTo((ulong)expected));
    }

    [Test]
    public void FixedWidth_Values_AreLittleEndian()
    {
        byte[] bytes = Write((ref w) =>
        {
            w.WriteUInt16(0x0102);
            w.WriteInt32(-2);
            w.WriteUInt64(0x0102030405060708);
            w.WriteSingle(1.0f);
        });
        Assert.That(bytes, Is.EqualTo(new byte[]
        {
            0x02, 0x01,
            0xFE, 0xFF, 0xFF, 0xFF,
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
            0x00, 0x00, 0x80, 0x3F,
        }));
    }

    [Test]
    public void WriteString_Utf8_IsLengthPrefixedBytes() =>
        Assert.That(Write((ref w) => w.WriteString("hé", 16)), Is.EqualTo(new byte[] { 3, (byte)'h', 0xC3, 0xA9 }));

    [Test]
    public void WriteString_OverItsCap_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var writer = new PacketWriter(new byte[16]);
            try
            {
                writer.WriteString("ééé", 5);
            }
            finally
            {
                writer.Dispose();
            }
        });
    }

    [Test]
    public void Write_PastTheInitialSpan_GrowsIntoAPooledBufferAndKeepsEveryByte()
    {
        Span<byte> small = stackalloc byte[4];
        var writer = new PacketWriter(small);
        try
        {
            for (int i = 0; i < 10_000; i++)
            {
                writer.WriteVarUInt32((uint)i);
            }

            Assert.That(writer.HasGrown, Is.True);
            var reader = new PacketReader(writer.Written);
            for (int i = 0; i < 10_000; i++)
            {
                Assert.That(reader.TryReadVarUInt32(out uint v), Is.True);
                Assert.That(v, Is.EqualTo((uint)i));
            }

            Assert.That(reader.IsAtEnd, Is.True);
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Test]
    public void Write_WithinTheInitialSpan_DoesNotGrow()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new PacketWriter(buffer);
        writer.WriteInt64(1);
        writer.WriteString("short", 32);
        Assert.That(writer.HasGrown, Is.False);
        Assert.That(writer.Length, Is.EqualTo(8 + 1 + 5));
        writer.Dispose();
    }

    [Test]
    public void Write_BeyondMaxLength_Throws()
    {
        Assert.Throws<InvalidOperationException>(() =>
        {
            var writer = new PacketWriter(new byte[8], maxLength: 16);
            try
            {
                writer.WriteRaw(new byte[17]);
            }
            finally
            {
                writer.Dispose();
            }
        });
    }

    [Test]
    public void WriteFixedVector3_NotFinite_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var writer = new PacketWriter(new byte[32]);
            writer.WriteFixedVector3(new Vector3(float.NaN, 0, 0), 100);
        });
    }

    [Test]
    public void WriteFixedVector2_Centimetres_SmallCoordinatesTakeTwoBytesEach() =>
        Assert.That(Write((ref w) => w.WriteFixedVector2(new Vector2(12.34f, -80.5f), 100)), Has.Length.EqualTo(4));

    internal delegate void WriteAction(ref PacketWriter writer);

    internal static byte[] Write(WriteAction action)
    {
        var writer = new PacketWriter(new byte[8]);
        try
        {
            action(ref writer);
            return writer.Written.ToArray();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
