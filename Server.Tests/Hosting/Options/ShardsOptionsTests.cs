using Microsoft.Extensions.Configuration;
using Realm.Data.Routing;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Tests.Hosting.Options;

[TestFixture]
[CancelAfter(10_000)]
public sealed class ShardsOptionsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-shards-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void NoShardsSection_PlayersStayInMain()
    {
        Assert.That(RealmOptions.TryRead(Config(), out RealmOptions options, out IReadOnlyList<OptionError> errors), Is.True, string.Join("; ", errors));
        Assert.That(options.Shards.Strategy, Is.EqualTo(ShardStrategyKind.None));
    }

    [Test]
    public void JumpOverTwoPools_LogicalShardsSplitInContiguousBlocks()
    {
        Assert.That(RealmOptions.TryRead(Config(("Shards:Strategy", "jump"), ("Shards:LogicalShards", "6"), ("Shards:Pools", "shard_a, shard_b")), out RealmOptions options, out IReadOnlyList<OptionError> errors), Is.True, string.Join("; ", errors));
        Assert.That(options.Shards.PoolPerLogicalShard(), Is.EqualTo(new[] { "shard_a", "shard_a", "shard_a", "shard_b", "shard_b", "shard_b" }));
        Assert.That(options.Shards.CreateStrategy(), Is.TypeOf<JumpHashStrategy>().And.Property(nameof(IShardStrategy.Shards)).EqualTo(6));
    }

    [TestCase("Shards:Strategy", "hash", "Shards:Strategy")]
    [TestCase("Shards:Pools", "shard_a,nowhere", "pool \"nowhere\" is not in the Pools section")]
    [TestCase("Shards:Pools", "shard_a,shard_a", "each pool once")]
    [TestCase("Shards:LogicalShards", "1", "at least as many logical shards as pools")]
    [TestCase("Shards:Placement", "Directory", "Modulo, Jump or Ring")]
    [TestCase("Shards:Replicas:shard_a", "shard_b", "replicas need MySQL/MariaDB")]
    [TestCase("Shards:Replicas:main", "shard_b", "replicas of a shard pool listed in Shards:Pools")]
    [TestCase("Shards:Pols", "x", "Shards:Pols")]
    public void BadShardOption_StopsStartUp_NamingIt(string key, string value, string named)
    {
        IConfiguration configuration = Config(("Shards:Strategy", "Jump"), ("Shards:Pools", "shard_a,shard_b"), (key, value));
        Assert.That(RealmOptions.TryRead(configuration, out _, out IReadOnlyList<OptionError> errors), Is.False);
        Assert.That(string.Join("\n", errors), Does.Contain(named));
    }

    [Test]
    public void AStrategyWithoutPools_IsRefused()
    {
        Assert.That(RealmOptions.TryRead(Config(("Shards:Strategy", "Ring")), out _, out IReadOnlyList<OptionError> errors), Is.False);
        Assert.That(string.Join("\n", errors), Does.Contain("Shards:Pools").And.Contain("when Shards:Strategy is Ring"));
    }

    private IConfiguration Config(params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string?>
        {
            ["Storage:SqlitePath"] = Path.Combine(_folder, "realm.db"),
            ["Pools:shard_a:Provider"] = "Sqlite",
            ["Pools:shard_a:SqlitePath"] = Path.Combine(_folder, "a.db"),
            ["Pools:shard_b:Provider"] = "Sqlite",
            ["Pools:shard_b:SqlitePath"] = Path.Combine(_folder, "b.db"),
        };
        foreach ((string key, string value) in values)
        {
            all[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(all).Build();
    }
}
