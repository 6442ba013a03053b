using Realm.Server.Net.Reliability;

namespace Realm.Server.Tests.Net.Reliability;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ReceiveWindowTests
{
    [Test]
    public void Record_InOrder_AckIsNewestAndBitsMarkThePrevious()
    {
        var window = new ReceiveWindow();
        for (ushort s = 10; s <= 14; s++)
        {
            Assert.That(window.Record(s), Is.EqualTo(ReceiveResult.New));
        }

        Assert.That(window.Ack, Is.EqualTo(14));
        Assert.That(window.AckBits, Is.EqualTo(0b1111UL), "13, 12, 11 and 10 received");
    }

    [Test]
    public void Record_WithAGap_LeavesTheMissingBitClear()
    {
        var window = new ReceiveWindow();
        window.Record(1);
        window.Record(2);
        window.Record(4); // 3 lost
        Assert.That(window.Ack, Is.EqualTo(4));
        Assert.That(window.AckBits, Is.EqualTo(0b110UL), "bit 0 (3) clear, bit 1 (2) and bit 2 (1) set");
        Assert.That(window.Record(3), Is.EqualTo(ReceiveResult.New), "a late arrival fills the gap");
        Assert.That(window.AckBits, Is.EqualTo(0b111UL));
        Assert.That(window.Ack, Is.EqualTo(4), "a late arrival does not move the newest");
    }

    [Test]
    public void Record_Twice_IsADuplicate()
    {
        var window = new ReceiveWindow();
        window.Record(7);
        window.Record(9);
        Assert.That(window.Record(9), Is.EqualTo(ReceiveResult.Duplicate));
        Assert.That(window.Record(7), Is.EqualTo(ReceiveResult.Duplicate));
        Assert.That(window.Record(8), Is.EqualTo(ReceiveResult.New));
        Assert.That(window.Record(8), Is.EqualTo(ReceiveResult.Duplicate));
    }

    [Test]
    public void Record_AcrossTheWrap_TreatsZeroAsNewerThan65535()
    {
        var window = new ReceiveWindow();
        window.Record(65534);
        window.Record(65535);
        Assert.That(window.Record(1), Is.EqualTo(ReceiveResult.New));
        Assert.That(window.Ack, Is.EqualTo(1));
        Assert.That(window.AckBits, Is.EqualTo(0b110UL), "0 missing, 65535 and 65534 received");
        Assert.That(window.Contains(65535), Is.True);
        Assert.That(window.Contains(0), Is.False);
    }

    [Test]
    public void Record_MoreThan64Behind_IsTooOld()
    {
        var window = new ReceiveWindow();
        window.Record(1000);
        Assert.That(window.Record(1000 - 64), Is.EqualTo(ReceiveResult.New), "exactly 64 behind still fits");
        Assert.That(window.Record(1000 - 65), Is.EqualTo(ReceiveResult.TooOld));
    }

    [TestCase(63)]
    [TestCase(64)]
    [TestCase(65)]
    [TestCase(1000)]
    public void Record_JumpAhead_KeepsOnlyWhatStillFits(int jump)
    {
        var window = new ReceiveWindow();
        window.Record(500);
        window.Record(501);
        window.Record((ushort)(501 + jump));
        Assert.That(window.Contains(501), Is.EqualTo(jump <= 64));
        Assert.That(window.Contains(500), Is.EqualTo(jump + 1 <= 64));
        Assert.That(System.Numerics.BitOperations.PopCount(window.AckBits), Is.EqualTo((jump <= 64 ? 1 : 0) + (jump + 1 <= 64 ? 1 : 0)));
    }

    [Test]
    public void Record_RandomReorderedDuplicatedStream_MatchesAReferenceModel()
    {
        var random = new Random(6298);
        var window = new ReceiveWindow();
        var received = new HashSet<long>();
        long newest = -1;
        long next = 65_000; // crosses the wrap several times below
        for (int i = 0; i < 300_000; i++)
        {
            // Arrivals: mostly the next number, sometimes a late one (reordering up to 80 back), sometimes a repeat.
            long absolute = random.Next(10) switch
            {
                < 7 => next++,
                < 9 => Math.Max(0, next - 1 - random.Next(80)),
                _ => Math.Max(0, next - 1),
            };

            // Beyond the window the window cannot know whether it was seen: TooOld, seen or not.
            ReceiveResult expected = newest >= 0 && newest - absolute > ReceiveWindow.Span ? ReceiveResult.TooOld
                : received.Contains(absolute) ? ReceiveResult.Duplicate
                : ReceiveResult.New;
            ReceiveResult actual = window.Record((ushort)absolute);
            Assert.That(actual, Is.EqualTo(expected), $"arrival {i}: {absolute} (newest {newest})");
            if (expected == ReceiveResult.New)
            {
                received.Add(absolute);
                newest = Math.Max(newest, absolute);
            }

            if (i % 97 == 0)
            {
                Assert.That(window.Ack, Is.EqualTo((ushort)newest));
                for (int bit = 0; bit < ReceiveWindow.Span; bit++)
                {
                    bool set = (window.AckBits & (1UL << bit)) != 0;
                    Assert.That(set, Is.EqualTo(received.Contains(newest - 1 - bit)), $"arrival {i}, bit {bit}");
                }
            }
        }

        Assert.That(next, Is.GreaterThan(65_536 * 3), "the stream wrapped the 16-bit space several times");
    }
}
