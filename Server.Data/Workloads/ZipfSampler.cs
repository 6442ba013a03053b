namespace Realm.Data.Workloads;

/// <summary>
/// Draws ranks 0..n−1 with Zipf probabilities, P(k) ∝ 1 / (k + 1)^s — the skew of real key popularity
/// (a few players, items and guilds get most reads). Used to make cache and routing workloads that are
/// comparable with published hit ratios (TARGETS.md uses s = 0.86 over 50,000 keys). Inverse-CDF
/// sampling over a precomputed table: O(n) memory once, O(log n) and no allocation per draw.
/// </summary>
internal sealed class ZipfSampler
{
    private readonly double[] _cdf;

    public ZipfSampler(int n, double s)
    {
        if (n < 1 || !(s >= 0) || double.IsInfinity(s))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(n), $"need n >= 1 and a finite s >= 0 (n {n}, s {s})");
        }

        _cdf = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++)
        {
            sum += 1.0 / Math.Pow(k + 1, s);
            _cdf[k] = sum;
        }

        for (int k = 0; k < n; k++)
        {
            _cdf[k] /= sum;
        }
    }

    public int Count => _cdf.Length;

    /// <summary>A rank; 0 is the most popular.</summary>
    public int Next(Random random)
    {
        double u = random.NextDouble();
        int index = Array.BinarySearch(_cdf, u);
        return Math.Min(index >= 0 ? index : ~index, _cdf.Length - 1);
    }

    /// <summary>Fills <paramref name="ranks"/> with draws (a trace to replay).</summary>
    public void Fill(Span<int> ranks, Random random)
    {
        for (int i = 0; i < ranks.Length; i++)
        {
            ranks[i] = Next(random);
        }
    }
}
