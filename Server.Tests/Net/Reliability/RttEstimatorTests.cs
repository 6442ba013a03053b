using Realm.Server.Net.Reliability;

namespace Realm.Server.Tests.Net.Reliability;

[TestFixture]
[CancelAfter(5_000)]
public sealed class RttEstimatorTests
{
    [Test]
    public void AddSample_First_SetsSrttToRAndRttvarToHalf()
    {
        var rtt = new RttEstimator(minRto: 1, maxRto: 10_000, initialRto: 1_000, clockGranularity: 1);
        rtt.AddSample(100);
        Assert.Multiple(() =>
        {
            Assert.That(rtt.SmoothedRtt, Is.EqualTo(100));
            Assert.That(rtt.RttVariation, Is.EqualTo(50));
            Assert.That(rtt.Rto, Is.EqualTo(100 + (4 * 50)), "RTO = SRTT + max(G, 4·RTTVAR)");
        });
    }

    [Test]
    public void AddSample_Second_UpdatesRttvarBeforeSrttWithAlphaAndBeta()
    {
        var rtt = new RttEstimator(minRto: 1, maxRto: 10_000, initialRto: 1_000, clockGranularity: 1);
        rtt.AddSample(100);
        rtt.AddSample(200);
        // RTTVAR = 3/4·50 + 1/4·|100 - 200| = 62.5 (uses the old SRTT); SRTT = 7/8·100 + 1/8·200 = 112.5.
        Assert.Multiple(() =>
        {
            Assert.That(rtt.RttVariation, Is.EqualTo(62.5));
            Assert.That(rtt.SmoothedRtt, Is.EqualTo(112.5));
            Assert.That(rtt.Rto, Is.EqualTo(112.5 + 250));
        });
    }

    [Test]
    public void AddSample_SteadyRtt_ConvergesAndRtoIsClampedToTheMinimum()
    {
        var rtt = new RttEstimator(minRto: 50, maxRto: 2_000);
        for (int i = 0; i < 200; i++)
        {
            rtt.AddSample(2);
        }

        Assert.That(rtt.SmoothedRtt, Is.EqualTo(2).Within(1e-6));
        Assert.That(rtt.RttVariation, Is.LessThan(1e-6));
        Assert.That(rtt.Rto, Is.EqualTo(50), "2 ms + max(1 ms, ~0) is below the 50 ms floor");
    }

    [Test]
    public void OnTimeout_Repeated_DoublesUpToTheMaximumAndASampleResets()
    {
        var rtt = new RttEstimator(minRto: 50, maxRto: 1_000, initialRto: 200);
        rtt.OnTimeout();
        Assert.That(rtt.Rto, Is.EqualTo(400));
        rtt.OnTimeout();
        rtt.OnTimeout();
        Assert.That(rtt.Rto, Is.EqualTo(1_000));
        rtt.AddSample(100);
        Assert.That(rtt.Rto, Is.EqualTo(300));
    }

    [TestCase(-1.0)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void AddSample_Invalid_IsIgnored(double sample)
    {
        var rtt = new RttEstimator();
        rtt.AddSample(sample);
        Assert.That(rtt.HasSample, Is.False);
        Assert.That(rtt.Rto, Is.EqualTo(1_000));
    }

    [Test]
    public void Constructor_InconsistentBounds_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new RttEstimator(minRto: 100, maxRto: 50));
}
