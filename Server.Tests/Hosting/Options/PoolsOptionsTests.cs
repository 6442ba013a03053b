using Microsoft.Extensions.Configuration;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Tests.Hosting.Options;

[TestFixture]
[CancelAfter(10_000)]
public sealed class PoolsOptionsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-pools-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void NoPoolsSection_OneMainPoolOnTheStorageDatabase_WithDefaults()
    {
        RealmOptions options = Read();
        PoolDefinition main = options.Pools.Definitions.Single();
        Assert.That((main.Name, main.Endpoint, main.Options.MaxSize), Is.EqualTo(("main", options.Storage.Endpoint, 16)));
        Assert.That(options.Pools.Health.Interval, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void NamedPools_SizedAndPointedAtTheirOwnDatabases()
    {
        string shard1 = Path.Combine(_folder, "shard1.db");
        RealmOptions options = Read(
            ("Pools:main:MaxSize", "32"),
            ("Pools:main:MaxLifetimeSeconds", "0"),
            ("Pools:shard_1:Provider", "Sqlite"),
            ("Pools:shard_1:SqlitePath", shard1),
            ("Pools:shard_1:MinSize", "2"),
            ("Pools:shard_1:LeakDetectionMs", "0"),
            ("Pools:HealthIntervalMs", "500"));
        Assert.That(options.Pools.Definitions.Select(d => d.Name), Is.EqualTo(new[] { "main", "shard_1" }));
        PoolDefinition main = options.Pools.Definitions[0], shard = options.Pools.Definitions[1];
        Assert.That((main.Options.MaxSize, main.Options.MaxLifetime, main.Endpoint), Is.EqualTo((32, (TimeSpan?)null, options.Storage.Endpoint)));
        Assert.That((shard.Options.MinSize, shard.Options.LeakDetectionThreshold, shard.Endpoint.Provider, shard.Endpoint.DisplayName), Is.EqualTo((2, (TimeSpan?)null, DatabaseProvider.Sqlite, shard1)));
        Assert.That(options.Pools.Health.Interval, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [TestCase("Pools:shard_1:MaxSize", "0", "Pools:shard_1:MaxSize")]
    [TestCase("Pools:shard_1:MaxSzie", "4", "Pools:shard_1:MaxSzie")]
    [TestCase("Pools:shard_1:SqlitePath", "x.db", "Pools:shard_1:Provider")]
    [TestCase("Pools:shard_1:Provider", "Oracle", "Pools:shard_1:Provider")]
    [TestCase("Pools:shard_1:MinSize", "20", "MinSize: 20 is not allowed")]
    [TestCase("Pools:HealthIntervalMs", "5", "Pools:HealthIntervalMs")]
    [TestCase("Pools:shard_1", "x", "a pool subsection")]
    public void BadPoolOption_StopsStartUp_NamingIt(string key, string value, string named)
    {
        Assert.That(RealmOptions.TryRead(Config(key, value), out _, out IReadOnlyList<OptionError> errors), Is.False);
        Assert.That(string.Join("\n", errors), Does.Contain(named));
    }

    private RealmOptions Read(params (string Key, string Value)[] values)
    {
        IConfiguration configuration = Config(values);
        Assert.That(RealmOptions.TryRead(configuration, out RealmOptions options, out IReadOnlyList<OptionError> errors), Is.True, string.Join("; ", errors));
        return options;
    }

    private IConfiguration Config(string key, string value) => Config((key, value));

    private IConfiguration Config(params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string?> { ["Storage:SqlitePath"] = Path.Combine(_folder, "realm.db") };
        foreach ((string key, string value) in values)
        {
            all[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(all).Build();
    }
}
