using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.Server.Tests.Protocol;

/// <summary>Random and mutated input to every read: false or a value, never an exception, never out of bounds.</summary>
[TestFixture]
[Category("Fuzz")]
[CancelAfter(60_000)]
public sealed class PacketReaderFuzzTests
{
    private const int Iterations = 200_000;

    [Test]
    public void EveryTryRead_RandomBytes_NeverThrowsAndStaysInBounds()
    {
        var random = new Random(20261121);
        byte[] buffer = new byte[64];
        int succeeded = 0;
        for (int i = 0; i < Iterations; i++)
        {
            int length = random.Next(buffer.Length + 1);
            random.NextBytes(buffer.AsSpan(0, length));
            // Bias towards varint-shaped input: continuation bits set, then a terminator.
            if (i % 3 == 0 && length > 0)
            {
                for (int j = 0; j < length - 1; j++)
                {
                    buffer[j] |= 0x80;
                }
            }

            var reader = new PacketReader(buffer.AsSpan(0, length));
            int op = i % 17;
            bool ok = op switch
            {
                0 => reader.TryReadByte(out _),
                1 => reader.TryReadBool(out _),
                2 => reader.TryReadUInt16(out _),
                3 => reader.TryReadInt32(out _),
                4 => reader.TryReadUInt64(out _),
                5 => reader.TryReadSingle(out _),
                6 => reader.TryReadDouble(out _),
                7 => reader.TryReadVarUInt32(out _),
                8 => reader.TryReadVarUInt64(out _),
                9 => reader.TryReadVarInt32(out _),
                10 => reader.TryReadVarInt64(out _),
                11 => reader.TryReadString(32, out _),
                12 => reader.TryReadUtf8(32, out _),
                13 => reader.TryReadBytes(32, out _),
                14 => reader.TryReadFixedVector3(100, out _),
                15 => reader.TryReadFixedVector2(100, out _),
                _ => Message.TryRead<EchoMessage>(ref reader, out _),
            };

            if (ok)
            {
                succeeded++;
                Assert.That(reader.Position, Is.InRange(1, length), $"iteration {i}, op {op}: a successful read consumes input within bounds");
            }
            else
            {
                Assert.That(reader.Position, Is.Zero, $"iteration {i}, op {op}: a failed read consumes nothing");
            }
        }

        Assert.That(succeeded, Is.GreaterThan(Iterations / 10), "the fuzz input should also reach the success paths");
    }

    [Test]
    public void EchoMessage_MutatedValidEncodings_NeverThrowAndDecodeOnlyConsistently()
    {
        var random = new Random(99);
        byte[] payload = new byte[100];
        for (int i = 0; i < 50_000; i++)
        {
            random.NextBytes(payload);
            byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new EchoMessage((uint)i, i * 7L, payload.AsSpan(0, i % 101))));

            // Flip, drop or append a few bytes.
            int edits = random.Next(1, 4);
            var mutated = new List<byte>(bytes);
            for (int e = 0; e < edits && mutated.Count > 0; e++)
            {
                int at = random.Next(mutated.Count);
                switch (random.Next(3))
                {
                    case 0: mutated[at] ^= (byte)(1 << random.Next(8)); break;
                    case 1: mutated.RemoveAt(at); break;
                    default: mutated.Insert(at, (byte)random.Next(256)); break;
                }
            }

            byte[] input = mutated.ToArray();
            var reader = new PacketReader(input);
            if (Message.TryRead<EchoMessage>(ref reader, out EchoMessage message))
            {
                Assert.That(reader.Position, Is.LessThanOrEqualTo(input.Length));
                Assert.That(message.Payload.Length, Is.LessThanOrEqualTo(EchoMessage.MaxPayloadBytes));
            }
            else
            {
                Assert.That(reader.Position, Is.Zero);
            }
        }
    }
}
