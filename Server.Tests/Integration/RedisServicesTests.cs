using System.Net;
using Realm.Data.Coordination;
using StackExchange.Redis;

namespace Realm.Server.Tests.Integration;

[TestFixture]
[Category("Integration")]
[CancelAfter(30_000)]
public sealed class RedisServicesTests
{
    private RedisEndpointList _servers = null!;

    [SetUp]
    public void SetUp() => _servers = TestServices.RequireRedis();

    [Test]
    public async Task SetGet_OnEachInstance_ReturnsTheValueWritten()
    {
        foreach (DnsEndPoint server in _servers.Endpoints)
        {
            using ConnectionMultiplexer connection = await ConnectAsync(server);
            IDatabase db = connection.GetDatabase();
            string key = $"realm:test:{Guid.NewGuid():N}";
            string value = $"value-for-{RedisEndpointList.Format(server)}";
            Assert.That(await db.StringSetAsync(key, value, TimeSpan.FromSeconds(30)), Is.True, $"SET failed on {server}");
            Assert.That((string?)await db.StringGetAsync(key), Is.EqualTo(value), $"GET on {server}");
            Assert.That(await db.KeyDeleteAsync(key), Is.True);
        }
    }

    [Test]
    public async Task Instances_AreIndependent_AKeyWrittenToOneIsAbsentOnTheOthers()
    {
        string key = $"realm:test:independent:{Guid.NewGuid():N}";
        using ConnectionMultiplexer first = await ConnectAsync(_servers.Endpoints[0]);
        await first.GetDatabase().StringSetAsync(key, "only-here", TimeSpan.FromSeconds(30));
        try
        {
            for (int i = 1; i < _servers.Endpoints.Count; i++)
            {
                using ConnectionMultiplexer other = await ConnectAsync(_servers.Endpoints[i]);
                Assert.That(await other.GetDatabase().KeyExistsAsync(key), Is.False, $"{_servers.Endpoints[i]} shares data with {_servers.Endpoints[0]}");
            }
        }
        finally
        {
            await first.GetDatabase().KeyDeleteAsync(key);
        }
    }

    [Test]
    public async Task Probe_EachInstance_AnswersPingWithRedis7()
    {
        foreach (DnsEndPoint server in _servers.Endpoints)
        {
            RedisProbeResult result = await RedisProbe.PingAsync(server, TimeSpan.FromSeconds(5));
            Assert.That(result.ServerVersion, Does.StartWith("7."), $"{server} version");
            Assert.That(result.RoundTrip, Is.GreaterThan(TimeSpan.Zero));
        }
    }

    private static Task<ConnectionMultiplexer> ConnectAsync(DnsEndPoint server)
    {
        var options = new ConfigurationOptions { AbortOnConnectFail = true, ConnectTimeout = 5000, SyncTimeout = 5000 };
        options.EndPoints.Add(server.Host, server.Port);
        return ConnectionMultiplexer.ConnectAsync(options);
    }
}
