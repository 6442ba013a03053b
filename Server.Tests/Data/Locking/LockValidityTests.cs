using Realm.Data.Locking;

namespace Realm.Server.Tests.Data.Locking;

[TestFixture]
[CancelAfter(5_000)]
public sealed class LockValidityTests
{
    [TestCase(100, 3)]
    [TestCase(1_000, 12)]
    [TestCase(10_000, 102)]
    [TestCase(30_000, 302)]
    public void Drift_IsOnePercentPlusTwoMilliseconds(int leaseMs, int driftMs) =>
        Assert.That(LockValidity.Drift(TimeSpan.FromMilliseconds(leaseMs)), Is.EqualTo(TimeSpan.FromMilliseconds(driftMs)));

    [Test]
    public void Remaining_IsLeaseMinusElapsedMinusDrift()
    {
        Assert.That(LockValidity.Remaining(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(250)), Is.EqualTo(TimeSpan.FromMilliseconds(10_000 - 250 - 102)));
        Assert.That(LockValidity.Remaining(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(990)), Is.LessThan(TimeSpan.Zero));
    }

    [TestCase(1, 1)]
    [TestCase(3, 2)]
    [TestCase(4, 3)]
    [TestCase(5, 3)]
    [TestCase(7, 4)]
    public void Quorum_IsAStrictMajority(int instances, int quorum) => Assert.That(LockValidity.Quorum(instances), Is.EqualTo(quorum));

    [Test]
    public void Renewal_ComesBeforeTheLossGuard_WhichComesBeforeTheLeaseEnds()
    {
        foreach (int ms in new[] { 50, 300, 10_000, 86_400_000 })
        {
            TimeSpan lease = TimeSpan.FromMilliseconds(ms);
            TimeSpan giveUp = lease - LockValidity.Drift(lease) - LockValidity.LossGuard(lease);
            Assert.That(LockValidity.RenewalInterval(lease), Is.LessThan(giveUp), $"lease {ms} ms");
            Assert.That(LockValidity.RenewalInterval(lease) + LockValidity.RetryInterval(lease) * 3, Is.LessThan(giveUp), $"lease {ms} ms: room for three retries");
            Assert.That(giveUp, Is.LessThan(lease));
        }
    }
}
