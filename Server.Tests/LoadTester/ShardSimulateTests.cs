using System.Globalization;
using Realm.LoadTester.Shards;

namespace Realm.Server.Tests.LoadTester;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ShardSimulateTests
{
    [Test]
    public void Simulate_FourToFive_PrintsEveryStrategyWithItsMovementAndBalance()
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.That(ShardSimulate.Run(["--keys", "200000", "--from", "4", "--to", "5"], output), Is.Zero);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Contain("200000 keys, 4 -> 5 shards").And.Contain("20.00 %"));
        double Moved(string strategy) => double.Parse(lines.Single(l => l.StartsWith(strategy + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(Moved("modulo"), Is.EqualTo(80).Within(1));
            Assert.That(Moved("jump"), Is.EqualTo(20).Within(0.5));
            Assert.That(Moved("ring"), Is.EqualTo(20).Within(3));
            Assert.That(Moved("directory"), Is.Zero, "recorded keys stay");
        });
    }

    [TestCase("--keys", "0")]
    [TestCase("--from", "x")]
    [TestCase("--shards", "4")]
    public void Simulate_BadOption_ExitsTwo(string option, string value) =>
        Assert.That(ShardSimulate.Run([option, value], TextWriter.Null), Is.EqualTo(2));
}
