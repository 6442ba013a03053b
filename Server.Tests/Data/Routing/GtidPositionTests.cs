using Realm.Data.Routing;

namespace Realm.Server.Tests.Data.Routing;

[TestFixture]
public sealed class GtidPositionTests
{
    [Test]
    public void Parse_ServerText_RoundTripsInDomainOrder()
    {
        GtidPosition position = GtidPosition.Parse("1-2-50,0-1-12");
        Assert.Multiple(() =>
        {
            Assert.That(position.ToString(), Is.EqualTo("0-1-12,1-2-50"));
            Assert.That(position.DomainCount, Is.EqualTo(2));
            Assert.That(position.SequenceOf(0), Is.EqualTo(12UL));
            Assert.That(position.SequenceOf(1), Is.EqualTo(50UL));
            Assert.That(position.SequenceOf(7), Is.Zero);
        });
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase(null)]
    public void Parse_Blank_IsEmpty(string? text) => Assert.That(GtidPosition.Parse(text).IsEmpty, Is.True);

    [TestCase("0-1")]
    [TestCase("0-1-x")]
    [TestCase("a-1-2")]
    [TestCase("0-1-2,0-1-3")]
    [TestCase("0-1-2;1-1-1")]
    [TestCase("-0-1-2")]
    public void TryParse_Malformed_ReturnsFalse(string text)
    {
        Assert.That(GtidPosition.TryParse(text, out _), Is.False);
        Assert.That(() => GtidPosition.Parse(text), Throws.TypeOf<FormatException>().With.Message.Contains(text));
    }

    [Test]
    public void Covers_ComparesSequencePerDomain_IgnoringServerId()
    {
        GtidPosition replica = GtidPosition.Parse("0-1-10,1-1-5");
        Assert.Multiple(() =>
        {
            Assert.That(replica.Covers(GtidPosition.Parse("0-2-10")), Is.True, "same sequence from another server id");
            Assert.That(replica.Covers(GtidPosition.Parse("0-1-11")), Is.False);
            Assert.That(replica.Covers(GtidPosition.Parse("1-1-5,0-1-3")), Is.True);
            Assert.That(replica.Covers(GtidPosition.Parse("2-1-1")), Is.False, "a domain it has never seen");
            Assert.That(replica.Covers(GtidPosition.Empty), Is.True);
            Assert.That(GtidPosition.Empty.Covers(replica), Is.False);
        });
    }

    [Test]
    public void Behind_SumsMissingTransactionsOverDomains()
    {
        GtidPosition replica = GtidPosition.Parse("0-1-10,1-1-5");
        Assert.Multiple(() =>
        {
            Assert.That(replica.Behind(GtidPosition.Parse("0-1-14,1-1-5,2-1-3")), Is.EqualTo(7UL));
            Assert.That(replica.Behind(GtidPosition.Parse("0-1-9")), Is.Zero, "ahead is not behind");
        });
    }

    [Test]
    public void Merge_TakesTheLaterSequenceInEveryDomain()
    {
        GtidPosition a = GtidPosition.Parse("0-1-10,1-1-5");
        GtidPosition b = GtidPosition.Parse("0-1-8,1-1-9,3-1-1");
        GtidPosition merged = a.Merge(b);
        Assert.Multiple(() =>
        {
            Assert.That(merged.ToString(), Is.EqualTo("0-1-10,1-1-9,3-1-1"));
            Assert.That(merged.Covers(a) && merged.Covers(b), Is.True);
            Assert.That(a.Merge(GtidPosition.Parse("0-1-2")), Is.SameAs(a), "nothing new: the same instance");
            Assert.That(merged, Is.EqualTo(b.Merge(a)));
        });
    }
}
