using Realm.Data.Internal;

namespace Realm.Data.Monitoring;

/// <summary>
/// The <see cref="LatencyHistogram"/> layout for many writers: each record is one interlocked increment
/// of its bucket (no lock, no allocation). Read it by copying into a <see cref="LatencyHistogram"/>.
/// </summary>
/// <remarks>
/// Meant for slow paths and per-query timing, where a database round trip (tens of microseconds) dwarfs
/// the increment. Buckets of one histogram are shared between threads, so do not put one on a path that
/// runs millions of times a second on several cores.
/// </remarks>
public sealed class ConcurrentLatencyHistogram
{
    private readonly long[] _counts = new long[LatencyHistogram.BucketCount];
    private long _count;
    private long _max;

    /// <summary>Values recorded so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Records one duration; negative values count as zero. Thread-safe.</summary>
    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        Interlocked.Increment(ref _counts[LatencyHistogram.Index(nanoseconds)]);
        Interlocked.Increment(ref _count);
        InterlockedMath.Max(ref _max, nanoseconds);
    }

    /// <summary>Records the time since <paramref name="startTimestamp"/> (a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value).</summary>
    public void RecordSince(long startTimestamp) =>
        Record((long)System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).Ticks * 100);

    /// <summary>
    /// Replaces the contents of <paramref name="target"/> with this histogram's values now (each bucket is
    /// read once; values recorded during the copy may or may not be included).
    /// </summary>
    public void CopyTo(LatencyHistogram target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Reset();
        for (int i = 0; i < _counts.Length; i++)
        {
            long count = Volatile.Read(ref _counts[i]);
            if (count != 0)
            {
                target.AddBucket(i, count);
            }
        }

        target.RaiseMax(Volatile.Read(ref _max));
    }
}
