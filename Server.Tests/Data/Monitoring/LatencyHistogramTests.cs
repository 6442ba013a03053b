using Realm.Data.Monitoring;

namespace Realm.Server.Tests.Data.Monitoring;

[TestFixture]
[CancelAfter(10_000)]
public sealed class LatencyHistogramTests
{
    [Test]
    public void Index_EveryValue_FallsInABucketWhoseUpperBoundIsWithinOneThirtySecond()
    {
        var random = new Random(12345);
        for (int i = 0; i < 200_000; i++)
        {
            long value = (long)Math.Pow(2, random.NextDouble() * 50);
            int index = LatencyHistogram.Index(value);
            long upper = LatencyHistogram.UpperBound(index);
            Assert.That(upper, Is.GreaterThanOrEqualTo(value), $"value {value} index {index}");
            Assert.That(upper - value, Is.LessThanOrEqualTo(Math.Max(0, value / 32)), $"value {value} index {index} upper {upper}");
            if (index > 0)
            {
                Assert.That(LatencyHistogram.UpperBound(index - 1), Is.LessThan(value), $"value {value} belongs to an earlier bucket");
            }
        }
    }

    [Test]
    public void Index_SmallValues_AreExact()
    {
        for (long v = 0; v < 64; v++)
        {
            Assert.That(LatencyHistogram.UpperBound(LatencyHistogram.Index(v)), Is.EqualTo(v));
        }
    }

    [TestCase(50.0)]
    [TestCase(95.0)]
    [TestCase(99.0)]
    [TestCase(100.0)]
    public void PercentileMilliseconds_LogNormalSamples_MatchesTheExactPercentileWithin4Percent(double percentile)
    {
        var random = new Random(99);
        var histogram = new LatencyHistogram();
        var samples = new long[50_000];
        for (int i = 0; i < samples.Length; i++)
        {
            // Log-normal around 200 µs, like loopback round trips.
            double gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            samples[i] = (long)(200_000 * Math.Exp(0.6 * gaussian));
            histogram.Record(samples[i]);
        }

        Array.Sort(samples);
        long exact = samples[Math.Max(0, (int)Math.Ceiling(percentile / 100 * samples.Length) - 1)];
        double reported = histogram.PercentileMilliseconds(percentile) * 1e6;
        Assert.That(reported, Is.EqualTo(exact).Within(4).Percent);
        Assert.That(histogram.Count, Is.EqualTo(samples.Length));
    }

    [Test]
    public void Add_TwoHistograms_EqualsRecordingAllIntoOne()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var all = new LatencyHistogram();
        for (long v = 1; v < 10_000_000; v = (v * 3) + 1)
        {
            (v % 2 == 0 ? a : b).Record(v);
            all.Record(v);
        }

        a.Add(b);
        Assert.Multiple(() =>
        {
            Assert.That(a.Count, Is.EqualTo(all.Count));
            Assert.That(a.MaxMilliseconds, Is.EqualTo(all.MaxMilliseconds));
            Assert.That(a.PercentileMilliseconds(50), Is.EqualTo(all.PercentileMilliseconds(50)));
            Assert.That(a.PercentileMilliseconds(99), Is.EqualTo(all.PercentileMilliseconds(99)));
        });
    }
}
