using Realm.Server.Net.Reliability;

namespace Realm.Server.Tests.Net.Reliability;

[TestFixture]
[CancelAfter(5_000)]
public sealed class SequenceNumberTests
{
    [TestCase((ushort)1, (ushort)0, true)]
    [TestCase((ushort)0, (ushort)1, false)]
    [TestCase((ushort)0, (ushort)65535, true, TestName = "IsNewer_AcrossTheWrap_ZeroIsNewerThan65535")]
    [TestCase((ushort)65535, (ushort)0, false)]
    [TestCase((ushort)100, (ushort)65500, true)]
    [TestCase((ushort)5, (ushort)5, false)]
    [TestCase((ushort)32767, (ushort)0, true)]
    [TestCase((ushort)32768, (ushort)0, false, TestName = "IsNewer_HalfTheSpaceApart_IsNotNewer")]
    public void IsNewer_Pairs_FollowSerialNumberArithmetic(ushort a, ushort b, bool expected) =>
        Assert.That(SequenceNumber.IsNewer(a, b), Is.EqualTo(expected));

    [TestCase((ushort)65535, (ushort)0, 1)]
    [TestCase((ushort)0, (ushort)65535, -1)]
    [TestCase((ushort)65530, (ushort)10, 16)]
    [TestCase((ushort)10, (ushort)65530, -16)]
    [TestCase((ushort)0, (ushort)32767, 32767)]
    [TestCase((ushort)0, (ushort)32768, -32768)]
    public void Distance_Pairs_AreSignedStepsAcrossTheWrap(ushort from, ushort to, int expected) =>
        Assert.That(SequenceNumber.Distance(from, to), Is.EqualTo(expected));

    [Test]
    public void Distance_EveryStartAndSmallStep_AgreesWithIsNewer()
    {
        for (int start = 0; start < 65536; start += 97)
        {
            for (int step = -300; step <= 300; step += 7)
            {
                ushort a = (ushort)start;
                ushort b = (ushort)(start + step);
                Assert.That(SequenceNumber.Distance(a, b), Is.EqualTo(step));
                Assert.That(SequenceNumber.IsNewer(b, a), Is.EqualTo(step > 0));
            }
        }
    }
}
