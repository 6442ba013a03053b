using System.Text;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;

namespace Realm.Server.Tests.Protocol;

/// <summary>The game messages: round trips at edge values, and every truncated or mutated encoding read safely.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class GameMessageTests
{
    [Test]
    public void LoginRequest_RoundTrips_AndAnOverlongTokenDoesNotRead()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new LoginRequest(ushort.MaxValue, "42:Ayla"u8)));
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out LoginRequest login), Is.True);
        Assert.That((login.Version, Encoding.UTF8.GetString(login.Token), reader.IsAtEnd), Is.EqualTo((ushort.MaxValue, "42:Ayla", true)));

        byte[] tooLong = PacketWriterTests.Write((ref w) =>
        {
            w.WriteByte(MessageIds.Login);
            w.WriteUInt16(1);
            w.WriteBytes(new byte[LoginRequest.MaxTokenBytes + 1]);
        });
        reader = new PacketReader(tooLong);
        Assert.That(Message.TryRead(ref reader, out LoginRequest _), Is.False);
        Assert.That(reader.Position, Is.Zero);
    }

    [Test]
    public void ValueMessages_RoundTripAtTheirEdges()
    {
        RoundTrip(new Welcome(uint.MaxValue, long.MinValue, 0, int.MinValue, int.MaxValue, 30, 2500, ulong.MaxValue));
        RoundTrip(new MoveInput(uint.MaxValue, int.MinValue, int.MaxValue, 0));
        RoundTrip(new PositionCorrection(7, -1, int.MaxValue));
        RoundTrip(new EntityLeave(0));
        RoundTrip(new CellSnapshot(ulong.MaxValue, 3, uint.MaxValue, 2, CellSnapshot.MaxEntries));
        RoundTrip(new StatusRequest(9, true));
        RoundTrip(new StatusRequest(10, false, Interval: true));
        RoundTrip(new StatusResponse(1, 2000, 3, 4, 5, 6, 7, 8, 9, 10, ulong.MaxValue, 12, 13, 14));
        RoundTrip(new ZoneChange(uint.MaxValue));
    }

    [Test]
    public void SpanMessages_RoundTrip()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new EntityEnter(5, -9, -300, 400, "Bø"u8)));
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out EntityEnter enter), Is.True);
        Assert.That((enter.EntityId, enter.PlayerId, enter.X, enter.Y, Encoding.UTF8.GetString(enter.Name)), Is.EqualTo((5u, -9L, -300, 400, "Bø")));

        bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new ChatSend(ChatScope.Whisper, 77, "hi there"u8)));
        reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out ChatSend send), Is.True);
        Assert.That((send.Scope, send.Target, Encoding.UTF8.GetString(send.Text)), Is.EqualTo((ChatScope.Whisper, 77L, "hi there")));

        bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new ChatLine(ChatScope.Zone, 3, "Cy"u8, ""u8)));
        reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out ChatLine line), Is.True);
        Assert.That((line.Scope, line.From, Encoding.UTF8.GetString(line.FromName), line.Text.Length), Is.EqualTo((ChatScope.Zone, 3L, "Cy", 0)));

        bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, new ErrorNotice(ErrorCode.ChatRateLimited, "slow down"u8)));
        reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out ErrorNotice error), Is.True);
        Assert.That((error.Code, Encoding.UTF8.GetString(error.Text)), Is.EqualTo((ErrorCode.ChatRateLimited, "slow down")));
    }

    [Test]
    public void CellSnapshot_WithEntries_ReadsBackEveryEntry()
    {
        byte[] bytes = PacketWriterTests.Write((ref w) =>
        {
            Message.Write(ref w, new CellSnapshot(100, 1, 42, 0, 3));
            CellSnapshot.WriteEntry(ref w, 1, 0, 0);
            CellSnapshot.WriteEntry(ref w, 2, -5000, 5000);
            CellSnapshot.WriteEntry(ref w, uint.MaxValue, int.MaxValue, int.MinValue);
        });
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out CellSnapshot snapshot), Is.True);
        Assert.That(snapshot.Count, Is.EqualTo(3u));
        var entries = new List<(uint, int, int)>();
        for (int i = 0; i < snapshot.Count; i++)
        {
            Assert.That(CellSnapshot.TryReadEntry(ref reader, out uint entity, out int x, out int y), Is.True);
            entries.Add((entity, x, y));
        }

        Assert.That(entries, Is.EqualTo(new[] { (1u, 0, 0), (2u, -5000, 5000), (uint.MaxValue, int.MaxValue, int.MinValue) }));
        Assert.That(reader.IsAtEnd, Is.True);
    }

    [Test]
    public void EveryGameMessage_TruncatedAndMutated_NeverThrowsAndNeverReadsPastTheEnd()
    {
        var random = new Random(20261202);
        byte[][] valid =
        [
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new LoginRequest(1, "123456789:SomeName"u8))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new Welcome(1, 2, 3, 4, 5, 30, 2500, 99))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new MoveInput(1, 700, -700, 5))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new PositionCorrection(1, 2, 3))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new EntityEnter(1, 2, 3, 4, "Name"u8))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new EntityLeave(300))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new CellSnapshot(1, 2, 3, 0, 0))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new ChatSend(ChatScope.Zone, 0, "hello"u8))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new ChatLine(ChatScope.Whisper, 9, "A"u8, "x"u8))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new ErrorNotice(ErrorCode.NotReady, "wait"u8))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new StatusRequest(1, false))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new StatusResponse(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14))),
            PacketWriterTests.Write((ref w) => Message.Write(ref w, new ZoneChange(2))),
        ];

        int decoded = 0;
        for (int round = 0; round < 20_000; round++)
        {
            byte[] source = valid[round % valid.Length];
            byte[] bytes = (byte[])source.Clone();
            int length = round % 4 == 0 ? random.Next(bytes.Length) : bytes.Length; // truncated, or
            if (round % 4 != 0)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256); // one byte mutated
            }

            decoded += TryReadAny(bytes.AsSpan(0, length)) ? 1 : 0;
        }

        // Every strict prefix of a valid encoding is refused.
        foreach (byte[] source in valid)
        {
            for (int cut = 0; cut < source.Length; cut++)
            {
                Assert.That(TryReadAny(source.AsSpan(0, cut)), Is.False, $"a {cut}-byte prefix of message {source[0]} read as complete");
            }

            Assert.That(TryReadAny(source), Is.True, $"message {source[0]} does not read");
        }

        Assert.That(decoded, Is.GreaterThan(0));
    }

    private static bool TryReadAny(ReadOnlySpan<byte> data)
    {
        var reader = new PacketReader(data);
        bool ok = data.IsEmpty ? false : data[0] switch
        {
            MessageIds.Login => Message.TryRead(ref reader, out LoginRequest _),
            MessageIds.Welcome => Message.TryRead(ref reader, out Welcome _),
            MessageIds.MoveInput => Message.TryRead(ref reader, out MoveInput _),
            MessageIds.PositionCorrection => Message.TryRead(ref reader, out PositionCorrection _),
            MessageIds.EntityEnter => Message.TryRead(ref reader, out EntityEnter _),
            MessageIds.EntityLeave => Message.TryRead(ref reader, out EntityLeave _),
            MessageIds.CellSnapshot => Message.TryRead(ref reader, out CellSnapshot _),
            MessageIds.ChatSend => Message.TryRead(ref reader, out ChatSend _),
            MessageIds.ChatLine => Message.TryRead(ref reader, out ChatLine _),
            MessageIds.ErrorNotice => Message.TryRead(ref reader, out ErrorNotice _),
            MessageIds.StatusRequest => Message.TryRead(ref reader, out StatusRequest _),
            MessageIds.StatusResponse => Message.TryRead(ref reader, out StatusResponse _),
            MessageIds.ZoneChange => Message.TryRead(ref reader, out ZoneChange _),
            _ => false,
        };
        Assert.That(reader.Position, Is.LessThanOrEqualTo(data.Length));
        Assert.That(ok || reader.Position == 0, Is.True, "a failed read moved the reader");
        return ok && reader.IsAtEnd;
    }

    private static void RoundTrip<T>(T message)
        where T : struct, IMessage<T>, IEquatable<T>
    {
        byte[] bytes = PacketWriterTests.Write((ref w) => Message.Write(ref w, message));
        var reader = new PacketReader(bytes);
        Assert.That(Message.TryRead(ref reader, out T read), Is.True, typeof(T).Name);
        Assert.That(read, Is.EqualTo(message));
        Assert.That(reader.IsAtEnd, Is.True, typeof(T).Name);
    }
}
