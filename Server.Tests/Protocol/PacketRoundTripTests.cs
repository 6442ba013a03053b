using System.Numerics;
using Realm.Server.Protocol;

namespace Realm.Server.Tests.Protocol;

[TestFixture]
[CancelAfter(30_000)]
public sealed class PacketRoundTripTests
{
    private static readonly ulong[] UnsignedEdges = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, 0x1F_FFFF, 0x20_0000, 0xFFF_FFFF, 0x1000_0000, uint.MaxValue - 1, uint.MaxValue, (ulong)uint.MaxValue + 1, long.MaxValue, ulong.MaxValue - 1, ulong.MaxValue];
    private static readonly long[] SignedEdges = [0, 1, -1, 63, -64, 64, -65, short.MaxValue, short.MinValue, int.MaxValue, int.MinValue, (long)int.MaxValue + 1, long.MaxValue, long.MinValue, long.MinValue + 1];

    [Test]
    public void Integers_EdgeValues_RoundTripInEveryWidth()
    {
        foreach (ulong u in UnsignedEdges)
        {
            byte[] bytes = PacketWriterTests.Write((ref w) =>
            {
                w.WriteVarUInt64(u);
                w.WriteVarUInt32((uint)u);
                w.WriteUInt64(u);
                w.WriteUInt32((uint)u);
                w.WriteUInt16((ushort)u);
                w.WriteByte((byte)u);
            });
            var r = new PacketReader(bytes);
            {
                Assert.That(r.TryReadVarUInt64(out ulong a) && a == u, Is.True, $"varuint64 {u}");
                Assert.That(r.TryReadVarUInt32(out uint b) && b == (uint)u, Is.True, $"varuint32 {u}");
                Assert.That(r.TryReadUInt64(out ulong c) && c == u, Is.True, $"uint64 {u}");
                Assert.That(r.TryReadUInt32(out uint d) && d == (uint)u, Is.True, $"uint32 {u}");
                Assert.That(r.TryReadUInt16(out ushort e) && e == (ushort)u, Is.True, $"uint16 {u}");
                Assert.That(r.TryReadByte(out byte f) && f == (byte)u, Is.True, $"byte {u}");
                Assert.That(r.IsAtEnd, Is.True);
            }
            Assert.That(VarInt.Length(u), Is.EqualTo(PacketWriterTests.Write((ref w) => w.WriteVarUInt64(u)).Length), $"length of {u}");
        }

        foreach (long s in SignedEdges)
        {
            byte[] bytes = PacketWriterTests.Write((ref w) =>
            {
                w.WriteVarInt64(s);
                w.WriteVarInt32((int)s);
                w.WriteInt64(s);
                w.WriteInt32((int)s);
                w.WriteInt16((short)s);
            });
            var r = new PacketReader(bytes);
            {
                Assert.That(r.TryReadVarInt64(out long a) && a == s, Is.True, $"varint64 {s}");
                Assert.That(r.TryReadVarInt32(out int b) && b == (int)s, Is.True, $"varint32 {s}");
                Assert.That(r.TryReadInt64(out long c) && c == s, Is.True, $"int64 {s}");
                Assert.That(r.TryReadInt32(out int d) && d == (int)s, Is.True, $"int32 {s}");
                Assert.That(r.TryReadInt16(out short e) && e == (short)s, Is.True, $"int16 {s}");
                Assert.That(r.IsAtEnd, Is.True);
            }
        }
    }

    [TestCase(0f)]
    [TestCase(-0f)]
    [TestCase(float.Epsilon)]
    [TestCase(float.MaxValue)]
    [TestCase(float.MinValue)]
    [TestCase(float.PositiveInfinity)]
    [TestCase(float.NaN)]
    [TestCase(3.14159f)]
    public void Floats_EdgeValues_RoundTripBitForBit(float value)
    {
        byte[] bytes = PacketWriterTests.Write((ref w) =>
        {
            w.WriteSingle(value);
            w.WriteDouble(value);
        });
        var r = new PacketReader(bytes);
        Assert.That(r.TryReadSingle(out float f), Is.True);
        Assert.That(r.TryReadDouble(out double d), Is.True);
        Assert.That(BitConverter.SingleToUInt32Bits(f), Is.EqualTo(BitConverter.SingleToUInt32Bits(value)));
        Assert.That(BitConverter.DoubleToUInt64Bits(d), Is.EqualTo(BitConverter.DoubleToUInt64Bits(value)));
    }

    [TestCase("")]
    [TestCase("a")]
    [TestCase("Ærin the Bold")]
    [TestCase("名前")]
    [TestCase("🐉 dragon")]
    public void Strings_RoundTripAndUtf8SpanMatches(string value)
    {
        byte[] bytes = PacketWriterTests.Write((ref w) =>
        {
            w.WriteString(value, 64);
            w.WriteBool(true);
            w.WriteBool(false);
        });
        var r = new PacketReader(bytes);
        Assert.That(r.TryReadString(64, out string s), Is.True);
        Assert.That(s, Is.EqualTo(value));
        Assert.That(r.TryReadBool(out bool t) && t, Is.True);
        Assert.That(r.TryReadBool(out bool f) && !f, Is.True);
        var raw = new PacketReader(bytes);
        Assert.That(raw.TryReadUtf8(64, out ReadOnlySpan<byte> utf8), Is.True);
        Assert.That(utf8.ToArray(), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(value)));
    }

    [Test]
    public void FixedVectors_RandomPositions_RoundTripWithinHalfAStep()
    {
        var random = new Random(4242);
        const float scale = 100f; // centimetres
        for (int i = 0; i < 10_000; i++)
        {
            var v3 = new Vector3(Next(random), Next(random), Next(random));
            var v2 = new Vector2(Next(random), Next(random));
            byte[] bytes = PacketWriterTests.Write((ref w) =>
            {
                w.WriteFixedVector3(v3, scale);
                w.WriteFixedVector2(v2, scale);
            });
            var r = new PacketReader(bytes);
            Assert.That(r.TryReadFixedVector3(scale, out Vector3 back3), Is.True);
            Assert.That(r.TryReadFixedVector2(scale, out Vector2 back2), Is.True);
            Assert.That(r.IsAtEnd, Is.True);
            float tolerance = (0.5f / scale) + 0.001f; // half a step plus float rounding at ±10 km
            Assert.That(Math.Abs(back3.X - v3.X), Is.LessThanOrEqualTo(tolerance), $"{v3} -> {back3}");
            Assert.That(Math.Abs(back3.Y - v3.Y), Is.LessThanOrEqualTo(tolerance), $"{v3} -> {back3}");
            Assert.That(Math.Abs(back3.Z - v3.Z), Is.LessThanOrEqualTo(tolerance), $"{v3} -> {back3}");
            Assert.That(Vector2.Distance(back2, v2), Is.LessThanOrEqualTo(tolerance * 1.5f), $"{v2} -> {back2}");
        }

        static float Next(Random random) => (float)((random.NextDouble() * 20_000) - 10_000);
    }

    [Test]
    public void RandomSequences_WrittenThenRead_ComeBackEqual()
    {
        var random = new Random(777);
        for (int round = 0; round < 2_000; round++)
        {
            int count = random.Next(1, 20);
            var kinds = new int[count];
            var values = new long[count];
            for (int i = 0; i < count; i++)
            {
                kinds[i] = random.Next(4);
                values[i] = random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64);
            }

            byte[] bytes = PacketWriterTests.Write((ref w) =>
            {
                for (int i = 0; i < count; i++)
                {
                    switch (kinds[i])
                    {
                        case 0: w.WriteVarInt64(values[i]); break;
                        case 1: w.WriteVarUInt32((uint)values[i]); break;
                        case 2: w.WriteInt32((int)values[i]); break;
                        default: w.WriteBytes(BitConverter.GetBytes(values[i]).AsSpan(0, (int)((ulong)values[i] % 9))); break;
                    }
                }
            });

            var r = new PacketReader(bytes);
            for (int i = 0; i < count; i++)
            {
                bool ok = kinds[i] switch
                {
                    0 => r.TryReadVarInt64(out long a) && a == values[i],
                    1 => r.TryReadVarUInt32(out uint b) && b == (uint)values[i],
                    2 => r.TryReadInt32(out int c) && c == (int)values[i],
                    _ => r.TryReadBytes(8, out ReadOnlySpan<byte> d) && d.SequenceEqual(BitConverter.GetBytes(values[i]).AsSpan(0, (int)((ulong)values[i] % 9))),
                };
                Assert.That(ok, Is.True, $"round {round}, item {i} (kind {kinds[i]}, value {values[i]})");
            }

            Assert.That(r.IsAtEnd, Is.True);
        }
    }
}
