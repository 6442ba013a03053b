using Realm.Server.Net.Fragmentation;

namespace Realm.Server.Tests.Net.Fragmentation;

[TestFixture]
[CancelAfter(30_000)]
public sealed class FragmentReassemblerTests
{
    private const int Chunk = 1100;

    [Test]
    public void Add_200KbMessageShuffledWithDuplicates_CompletesOnceWithTheExactBytes()
    {
        var random = new Random(200);
        byte[] original = new byte[200 * 1024];
        random.NextBytes(original);
        using var reassembler = Create();
        List<int> order = Enumerable.Range(0, FragmentCount(original.Length)).ToList();
        order.AddRange(order.Where(_ => random.Next(5) == 0).ToList()); // ~20 % duplicates
        Shuffle(order, random);

        // Model: before completion a repeat is a Duplicate; the last new index completes the message; a
        // repeat after completion starts a fresh group that cannot complete (nothing new arrives for it).
        int count = FragmentCount(original.Length);
        var firstGroup = new HashSet<int>();
        var secondGroup = new HashSet<int>();
        bool complete = false;
        byte[]? rebuilt = null;
        for (int i = 0; i < order.Count; i++)
        {
            int index = order[i];
            ReassemblyStatus expected;
            if (!complete)
            {
                expected = !firstGroup.Add(index) ? ReassemblyStatus.Duplicate
                    : firstGroup.Count == count ? ReassemblyStatus.Completed
                    : ReassemblyStatus.Incomplete;
                complete = expected == ReassemblyStatus.Completed;
            }
            else
            {
                expected = secondGroup.Add(index) ? ReassemblyStatus.Incomplete : ReassemblyStatus.Duplicate;
            }

            ReassemblyStatus status = Add(reassembler, 7, original, index, out ReassembledMessage message);
            Assert.That(status, Is.EqualTo(expected), $"arrival {i}: fragment {index}");
            if (status == ReassemblyStatus.Completed)
            {
                rebuilt = message.Span.ToArray();
                message.Dispose();
            }
        }

        Assert.That(rebuilt, Is.EqualTo(original));
    }

    [Test]
    public void Add_TwoMessagesInterleaved_BothComplete()
    {
        byte[] a = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        byte[] b = Enumerable.Range(0, 3000).Select(i => (byte)(255 - i)).ToArray();
        using var reassembler = Create();
        var done = new Dictionary<ushort, byte[]>();
        for (int i = 0; i < Math.Max(FragmentCount(a.Length), FragmentCount(b.Length)); i++)
        {
            foreach ((ushort id, byte[] data) in new[] { ((ushort)1, a), ((ushort)2, b) })
            {
                if (i < FragmentCount(data.Length) && Add(reassembler, id, data, i, out ReassembledMessage m) == ReassemblyStatus.Completed)
                {
                    done[id] = m.Span.ToArray();
                    m.Dispose();
                }
            }
        }

        Assert.That(done[1], Is.EqualTo(a));
        Assert.That(done[2], Is.EqualTo(b));
        Assert.That(reassembler.BufferedBytes, Is.Zero);
        Assert.That(reassembler.IncompleteMessages, Is.Zero);
    }

    [Test]
    public void Add_OverMaxMessageSize_IsTooLarge()
    {
        using var reassembler = new FragmentReassembler(maxMessageBytes: 10_000, maxIncompleteMessages: 4, maxBufferedBytes: 40_000, timeoutTicks: 1000);
        Assert.That(reassembler.Add(1, 10, 0, 10_001, new byte[1001], 0, out _), Is.EqualTo(ReassemblyStatus.TooLarge));
        Assert.That(reassembler.BufferedBytes, Is.Zero);
    }

    [TestCase(1, 0, 100, 100, TestName = "Add_CountOfOne_IsInconsistent")]
    [TestCase(4, 4, 400, 100, TestName = "Add_IndexNotBelowCount_IsInconsistent")]
    [TestCase(4, 0, 400, 99, TestName = "Add_WrongFragmentLength_IsInconsistent")]
    [TestCase(4, 3, 398, 100, TestName = "Add_WrongLastFragmentLength_IsInconsistent")]
    [TestCase(4, 0, 9, 3, TestName = "Add_CountThatLeavesNoLastFragment_IsInconsistent")]
    [TestCase(4, -1, 400, 100, TestName = "Add_NegativeIndex_IsInconsistent")]
    public void Add_MalformedFragment_IsInconsistentAndStoresNothing(int count, int index, int total, int length)
    {
        using var reassembler = Create();
        Assert.That(reassembler.Add(1, count, index, total, new byte[length], 0, out _), Is.EqualTo(ReassemblyStatus.Inconsistent));
        Assert.That(reassembler.BufferedBytes, Is.Zero);
    }

    [Test]
    public void Add_FragmentDisagreeingWithItsGroup_IsInconsistent()
    {
        using var reassembler = Create();
        Assert.That(reassembler.Add(9, 4, 0, 400, new byte[100], 0, out _), Is.EqualTo(ReassemblyStatus.Incomplete));
        Assert.That(reassembler.Add(9, 5, 1, 500, new byte[100], 0, out _), Is.EqualTo(ReassemblyStatus.Inconsistent));
    }

    [Test]
    public void Add_MoreGroupsThanTheLimit_RejectsNewOnesUntilOneExpires()
    {
        using var reassembler = new FragmentReassembler(maxMessageBytes: 10_000, maxIncompleteMessages: 2, maxBufferedBytes: 100_000, timeoutTicks: 1000);
        Assert.That(reassembler.Add(1, 2, 0, 20, new byte[10], 0, out _), Is.EqualTo(ReassemblyStatus.Incomplete));
        Assert.That(reassembler.Add(2, 2, 0, 20, new byte[10], 10, out _), Is.EqualTo(ReassemblyStatus.Incomplete));
        Assert.That(reassembler.Add(3, 2, 0, 20, new byte[10], 20, out _), Is.EqualTo(ReassemblyStatus.TooManyIncomplete));
        Assert.That(reassembler.Add(3, 2, 0, 20, new byte[10], 1000, out _), Is.EqualTo(ReassemblyStatus.Incomplete), "group 1 expired at tick 1000");
        Assert.That(reassembler.IncompleteMessages, Is.EqualTo(2));
        Assert.That(reassembler.BufferedBytes, Is.EqualTo(40));
    }

    [Test]
    public void Add_BeyondTheByteBudget_IsOverBudget()
    {
        using var reassembler = new FragmentReassembler(maxMessageBytes: 10_000, maxIncompleteMessages: 8, maxBufferedBytes: 15_000, timeoutTicks: 1000);
        Assert.That(reassembler.Add(1, 10, 0, 10_000, new byte[1000], 0, out _), Is.EqualTo(ReassemblyStatus.Incomplete));
        Assert.That(reassembler.Add(2, 10, 0, 10_000, new byte[1000], 0, out _), Is.EqualTo(ReassemblyStatus.OverBudget));
        Assert.That(reassembler.BufferedBytes, Is.EqualTo(10_000));
    }

    [Test]
    public void Add_RandomFragmentFlood_NeverExceedsTheLimits()
    {
        var random = new Random(666);
        using var reassembler = new FragmentReassembler(maxMessageBytes: 64 * 1024, maxIncompleteMessages: 8, maxBufferedBytes: 256 * 1024, timeoutTicks: 5_000);
        byte[] payload = new byte[64 * 1024];
        int completed = 0;
        for (int i = 0; i < 100_000; i++)
        {
            int total = random.Next(2, 64 * 1024 + 1);
            int count = random.Next(2, Math.Min(total, 70) + 1);
            int chunk = (total + count - 1) / count;
            int last = total - (chunk * (count - 1));
            int index = random.Next(count);
            int length = random.Next(8) == 0 ? random.Next(chunk + 2) : index == count - 1 ? Math.Max(last, 0) : chunk;
            ReassemblyStatus status = reassembler.Add((ushort)random.Next(32), count, index, total, payload.AsSpan(0, Math.Min(length, payload.Length)), i, out ReassembledMessage m);
            if (status == ReassemblyStatus.Completed)
            {
                completed++;
                m.Dispose();
            }

            Assert.That(reassembler.BufferedBytes, Is.InRange(0, 256 * 1024));
            Assert.That(reassembler.IncompleteMessages, Is.InRange(0, 8));
        }

        reassembler.Expire(long.MaxValue / 2);
        Assert.That(reassembler.BufferedBytes, Is.Zero);
        Assert.That(reassembler.IncompleteMessages, Is.Zero);
        TestContext.Out.WriteLine($"{completed} messages completed by chance during the flood");
    }

    private static FragmentReassembler Create() =>
        new(maxMessageBytes: 256 * 1024, maxIncompleteMessages: 8, maxBufferedBytes: 1024 * 1024, timeoutTicks: 10_000);

    private static int FragmentCount(int total) => (total + Chunk - 1) / Chunk;

    private static ReassemblyStatus Add(FragmentReassembler reassembler, ushort id, byte[] data, int index, out ReassembledMessage message)
    {
        int count = FragmentCount(data.Length);
        int chunk = (data.Length + count - 1) / count;
        int start = index * chunk;
        int length = Math.Min(chunk, data.Length - start);
        return reassembler.Add(id, count, index, data.Length, data.AsSpan(start, length), 0, out message);
    }

    private static void Shuffle(List<int> list, Random random)
    {
        for (int i = list.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
