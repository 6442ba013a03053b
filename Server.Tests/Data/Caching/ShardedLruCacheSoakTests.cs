using Realm.Data.Caching;

namespace Realm.Server.Tests.Data.Caching;

/// <summary>Many threads reading, writing, removing and sweeping one small cache at once, for a bounded time.</summary>
[TestFixture]
[Category("Soak")]
[CancelAfter(60_000)]
public sealed class ShardedLruCacheSoakTests
{
    [Test]
    public void ConcurrentReadsWritesRemovesAndSweeps_NeverReturnAWrongOrExpiredValue_AndStayWithinCapacity()
    {
        long now = 0;
        var cache = new ShardedLruCache<int, long>(new CacheOptions { Capacity = 512, Shards = 4, Clock = () => Volatile.Read(ref now) });
        using var start = new Barrier(5);
        using var clockGate = new ReaderWriterLockSlim(); // a Set and the expiry it encodes see the same clock
        var stopAt = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        long wrong = 0, expiredReturned = 0, reads = 0, maxCount = 0;

        void Worker(int seed)
        {
            var random = new Random(seed);
            start.SignalAndWait();
            while (DateTime.UtcNow < stopAt)
            {
                for (int i = 0; i < 1000; i++)
                {
                    int key = random.Next(2048);
                    int op = random.Next(100);
                    if (op < 80)
                    {
                        long before = Volatile.Read(ref now);
                        if (cache.TryGet(key, out long value))
                        {
                            Interlocked.Increment(ref reads);
                            // Values encode key and expiry: key * 1_000_000 + expiresAt.
                            if (value / 1_000_000 != key)
                            {
                                Interlocked.Increment(ref wrong);
                            }

                            if (value % 1_000_000 <= before)
                            {
                                Interlocked.Increment(ref expiredReturned);
                            }
                        }
                    }
                    else if (op < 95)
                    {
                        long ttl = 1 + random.Next(50);
                        clockGate.EnterReadLock();
                        cache.Set(key, (key * 1_000_000L) + Volatile.Read(ref now) + ttl, TimeSpan.FromMilliseconds(ttl));
                        clockGate.ExitReadLock();
                    }
                    else
                    {
                        cache.Remove(key);
                    }
                }

                long count = cache.Count;
                long seen;
                while (count > (seen = Interlocked.Read(ref maxCount)) && Interlocked.CompareExchange(ref maxCount, count, seen) != seen)
                {
                }
            }
        }

        Thread[] workers = Enumerable.Range(0, 4).Select(i => new Thread(() => Worker(i)) { IsBackground = true }).ToArray();
        foreach (Thread worker in workers)
        {
            worker.Start();
        }

        start.SignalAndWait();
        while (workers.Any(w => w.IsAlive))
        {
            clockGate.EnterWriteLock();
            Interlocked.Increment(ref now); // time moves on (1 ms per step)
            clockGate.ExitWriteLock();
            cache.RemoveExpired();
            Thread.Yield();
        }

        Assert.That(reads, Is.GreaterThan(1000), "the readers found entries");
        Assert.That(wrong, Is.Zero, "a value came back under another key");
        Assert.That(expiredReturned, Is.Zero, "an expired value came back");
        Assert.That(maxCount, Is.LessThanOrEqualTo(512));
        Assert.That(cache.Count, Is.LessThanOrEqualTo(512));
    }
}
