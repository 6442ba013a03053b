using System.Net;
using Microsoft.Extensions.Configuration;
using Realm.Data.Providers;
using Realm.Server.Hosting.Options;

namespace Realm.Server.Tests.Hosting.Options;

[TestFixture]
[CancelAfter(10_000)]
public sealed class RealmOptionsTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-options-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public void TryRead_NoValues_UsesDocumentedDefaults()
    {
        Assert.That(RealmOptions.TryRead(Config(("Storage:SqlitePath", Path.Combine(_folder, "realm.db"))), out RealmOptions options, out var errors), Is.True, string.Join("; ", errors));
        Assert.Multiple(() =>
        {
            Assert.That(options.Network.Host, Is.EqualTo(IPAddress.Loopback));
            Assert.That(options.Network.Port, Is.EqualTo(7777));
            Assert.That(options.Network.ReceiveBufferBytes, Is.EqualTo(8 * 1024 * 1024));
            Assert.That(options.Storage.Provider, Is.EqualTo(DatabaseProvider.Sqlite));
            Assert.That(options.Coordination.Redis, Is.Null);
            Assert.That(options.Logging.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Information));
        });
    }

    [Test]
    public void Defaults_SqlitePath_IsUnderData() => Assert.That(StorageOptions.DefaultSqlitePath, Is.EqualTo("data/realm.db"));

    [TestCase("Network:Port", "abc", "a whole number from 0 to 65535")]
    [TestCase("Network:Port", "70000", "a whole number from 0 to 65535")]
    [TestCase("Network:Port", "-1", "a whole number from 0 to 65535")]
    [TestCase("Network:Host", "localhost:1", "an IPv4 or IPv6 address")]
    [TestCase("Network:ReceiveBufferBytes", "1024", "a whole number from 65536")]
    [TestCase("Storage:Provider", "Oracle", "one of Sqlite, MySql")]
    [TestCase("Logging:Level", "7", "one of Trace, Debug, Information")]
    [TestCase("Logging:Level", "Loud", "one of Trace, Debug, Information")]
    [TestCase("Coordination:Redis", "127.0.0.1", "host:port")]
    [TestCase("Coordination:Redis", "a:1,a:1", "appears twice")]
    [TestCase("Coordination:Redis", "a:1,b:2", "two cannot form a fault-tolerant majority")]
    [TestCase("Coordination:OwnershipLeaseMs", "10", "a whole number from 50 to 3600000")]
    [TestCase("Coordination:LoginWaitMs", "-1", "a whole number from 0 to 300000")]
    public void TryRead_BadValue_ErrorNamesKeyValueAndWhatIsAllowed(string key, string value, string allowed)
    {
        Assert.That(RealmOptions.TryRead(Config((key, value), ("Storage:SqlitePath", Path.Combine(_folder, "realm.db"))), out _, out var errors), Is.False);
        Assert.That(errors, Has.Count.EqualTo(1));
        string message = errors[0].ToString();
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.StartWith(key));
            Assert.That(message, Does.Contain($"\"{value}\""));
            Assert.That(message, Does.Contain(allowed));
        });
    }

    [Test]
    public void TryRead_BadOptionWithSqliteInAMissingFolder_CreatesNothing()
    {
        string folder = Path.Combine(_folder, "not-yet");
        Assert.That(RealmOptions.TryRead(Config(("Network:Port", "x"), ("Storage:SqlitePath", Path.Combine(folder, "realm.db"))), out _, out _), Is.False);
        Assert.That(RealmOptions.TryRead(Config(("Storage:SqlitePath", Path.Combine(folder, "realm.db"))), out _, out _), Is.True);
        Assert.That(Directory.Exists(folder), Is.False, "validating options has no side effects; the folder is created at start");
    }

    [Test]
    public void TryRead_SeveralBadValues_ReportsEveryOne()
    {
        bool ok = RealmOptions.TryRead(Config(("Network:Port", "x"), ("Logging:Level", "y"), ("Storage:Provider", "z")), out _, out var errors);
        Assert.That(ok, Is.False);
        Assert.That(errors.Select(e => e.Key), Is.EquivalentTo(new[] { "Network:Port", "Logging:Level", "Storage:Provider" }));
    }

    [Test]
    public void TryRead_MisspelledKey_IsRejectedWithTheKnownKeys()
    {
        Assert.That(RealmOptions.TryRead(Config(("Network:Prot", "7778"), ("Storage:SqlitePath", Path.Combine(_folder, "realm.db"))), out _, out var errors), Is.False);
        Assert.That(errors, Has.Count.EqualTo(1));
        Assert.That(errors[0].Key, Is.EqualTo("Network:Prot"));
        Assert.That(errors[0].Allowed, Does.Contain("Host, Port"));
    }

    [Test]
    public void TryRead_UnknownSection_IsRejected()
    {
        Assert.That(RealmOptions.TryRead(Config(("Netwrok:Port", "7778"), ("Storage:SqlitePath", Path.Combine(_folder, "realm.db"))), out _, out var errors), Is.False);
        Assert.That(errors.Single().Key, Is.EqualTo("Netwrok"));
    }

    [Test]
    public void TryRead_MySqlWithoutConnectionString_SaysItIsRequired()
    {
        Assert.That(RealmOptions.TryRead(Config(("Storage:Provider", "MySql")), out _, out var errors), Is.False);
        Assert.That(errors.Single().Key, Is.EqualTo("Storage:MySqlConnectionString"));
        Assert.That(errors.Single().Allowed, Does.Contain("required when Storage:Provider is MySql"));
    }

    [Test]
    public void TryRead_BadMySqlConnectionString_NeverEchoesThePassword()
    {
        Assert.That(RealmOptions.TryRead(Config(("Storage:Provider", "MySql"), ("Storage:MySqlConnectionString", "Serverx=db;Password=hunter2")), out _, out var errors), Is.False);
        Assert.That(errors.Single().ToString(), Does.Not.Contain("hunter2"));
        Assert.That(errors.Single().Key, Is.EqualTo("Storage:MySqlConnectionString"));
    }

    [Test]
    public void TryRead_ValidMySql_TurnsDriverPoolingOff()
    {
        bool ok = RealmOptions.TryRead(Config(("Storage:Provider", "MySql"), ("Storage:MySqlConnectionString", "Server=127.0.0.1;Port=3307;User ID=u;Password=p;Database=d;Pooling=true")), out RealmOptions options, out var errors);
        Assert.That(ok, Is.True, string.Join("; ", errors));
        Assert.That(options.Storage.Endpoint.ConnectionString, Does.Contain("pooling=False").IgnoreCase);
    }

    [Test]
    public void TryRead_EnvironmentAndCommandLine_OverrideTheJsonFile()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), "{ \"Network\": { \"Port\": 7001, \"Host\": \"127.0.0.2\" }, \"Storage\": { \"SqlitePath\": \"" + Path.Combine(_folder, "a.db").Replace("\\", "/", StringComparison.Ordinal) + "\" } }");
        Environment.SetEnvironmentVariable("REALM__NETWORK__PORT", "7002");
        try
        {
            Assert.That(Realm.Server.Hosting.RealmConfiguration.TryBuild(_folder, [], out IConfiguration fromEnv, out _), Is.True);
            Assert.That(Realm.Server.Hosting.RealmConfiguration.TryBuild(_folder, ["--port", "7003"], out IConfiguration fromArgs, out _), Is.True);
            Assert.That(RealmOptions.TryRead(fromEnv, out RealmOptions envOptions, out _), Is.True);
            Assert.That(RealmOptions.TryRead(fromArgs, out RealmOptions argOptions, out _), Is.True);
            Assert.Multiple(() =>
            {
                Assert.That(envOptions.Network.Port, Is.EqualTo(7002), "environment beats appsettings.json");
                Assert.That(argOptions.Network.Port, Is.EqualTo(7003), "command line beats environment");
                Assert.That(argOptions.Network.Host, Is.EqualTo(IPAddress.Parse("127.0.0.2")), "appsettings.json value kept where nothing overrides it");
            });
        }
        finally
        {
            Environment.SetEnvironmentVariable("REALM__NETWORK__PORT", null);
        }
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
