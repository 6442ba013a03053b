using Realm.Server.Simulation;

namespace Realm.Server.Tests.Simulation;

[TestFixture]
[CancelAfter(30_000)]
public sealed class LogicInboxTests
{
    [Test]
    public void PostAndTake_InOrder_AndFullReportsFalseWithoutLosingItems()
    {
        var inbox = new LogicInbox<long>(4);
        for (long i = 0; i < 4; i++)
        {
            Assert.That(inbox.TryPost(i), Is.True);
        }

        Assert.That(inbox.TryPost(99), Is.False, "a full inbox must refuse, not overwrite");
        Assert.That(inbox.Count, Is.EqualTo(4));
        for (long i = 0; i < 4; i++)
        {
            Assert.That(inbox.TryTake(out long item), Is.True);
            Assert.That(item, Is.EqualTo(i));
        }

        Assert.That(inbox.TryTake(out _), Is.False);
        Assert.That(inbox.TryPost(5), Is.True, "slots are reused after a lap");
    }

    [Test]
    public void ManyProducers_OneConsumer_EveryItemArrivesOnce_InEachProducersOrder()
    {
        const int Producers = 4;
        const int PerProducer = 200_000;
        var inbox = new LogicInbox<long>(1024);
        using var start = new ManualResetEventSlim();
        Task[] producers = Enumerable.Range(0, Producers).Select(p => Task.Run(() =>
        {
            start.Wait();
            for (long i = 0; i < PerProducer; i++)
            {
                long item = ((long)p << 32) | i;
                while (!inbox.TryPost(item))
                {
                    Thread.SpinWait(20); // full: the producer retries; nothing is dropped
                }
            }
        })).ToArray();

        var next = new long[Producers];
        long taken = 0;
        start.Set();
        while (taken < Producers * PerProducer)
        {
            if (!inbox.TryTake(out long item))
            {
                Thread.SpinWait(10);
                continue;
            }

            int producer = (int)(item >> 32);
            long sequence = item & 0xFFFF_FFFF;
            Assert.That(sequence, Is.EqualTo(next[producer]), $"producer {producer}: out of order or duplicated");
            next[producer]++;
            taken++;
        }

        Task.WaitAll(producers);
        Assert.That(next, Is.All.EqualTo(PerProducer));
        Assert.That(inbox.TryTake(out _), Is.False);
    }

    [Test]
    public void Constructor_CapacityNotAPowerOfTwo_Throws() =>
        Assert.That(() => new LogicInbox<int>(100), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contain("power of two"));
}
