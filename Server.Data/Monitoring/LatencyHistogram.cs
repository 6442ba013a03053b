namespace Realm.Data.Monitoring;

/// <summary>
/// Fixed-size logarithmic histogram of durations in nanoseconds: every power of two is split into
/// 32 linear sub-buckets, so a recorded value is off by at most 1/32 (≈3 %) — the layout HdrHistogram
/// popularised (Gil Tene), written here from that description. Recording never allocates.
/// </summary>
/// <remarks>Not thread-safe: one histogram per thread, merged with <see cref="Add"/>; for many writers use
/// <see cref="ConcurrentLatencyHistogram"/> and copy it into one of these to read percentiles.</remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 5;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Exponents = 64 - SubBucketBits;

    /// <summary>Buckets in every histogram of this layout.</summary>
    internal const int BucketCount = (Exponents + 1) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _max;

    /// <summary>Values recorded.</summary>
    public long Count { get; private set; }

    /// <summary>The largest value recorded, in milliseconds.</summary>
    public double MaxMilliseconds => _max / 1e6;

    /// <summary>Records one duration; negative values count as zero.</summary>
    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0)
        {
            nanoseconds = 0;
        }

        _counts[Index(nanoseconds)]++;
        Count++;
        if (nanoseconds > _max)
        {
            _max = nanoseconds;
        }
    }

    /// <summary>Adds every value of <paramref name="other"/> to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        _max = Math.Max(_max, other._max);
    }

    /// <summary>Forgets every value.</summary>
    public void Reset()
    {
        Array.Clear(_counts);
        Count = 0;
        _max = 0;
    }

    /// <summary>The value at <paramref name="percentile"/> (0–100), in milliseconds; 0 when empty.</summary>
    public double PercentileMilliseconds(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), _max) / 1e6;
            }
        }

        return _max / 1e6;
    }

    /// <summary>Adds <paramref name="count"/> values to bucket <paramref name="index"/> (merging from a concurrent histogram).</summary>
    internal void AddBucket(int index, long count)
    {
        _counts[index] += count;
        Count += count;
    }

    /// <summary>Raises the maximum to at least <paramref name="nanoseconds"/>.</summary>
    internal void RaiseMax(long nanoseconds) => _max = Math.Max(_max, nanoseconds);

    internal static int Index(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        // value lies in [2^msb, 2^(msb+1)); shifting by msb - SubBucketBits leaves 32..63, a linear sub-bucket.
        int shift = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        int sub = (int)(value >> shift) - SubBuckets;
        return ((shift + 1) * SubBuckets) + sub;
    }

    internal static long UpperBound(int index)
    {
        int exponent = index / SubBuckets;
        int sub = index % SubBuckets;
        if (exponent == 0)
        {
            return sub;
        }

        return ((long)(SubBuckets + sub + 1) << (exponent - 1)) - 1;
    }
}
