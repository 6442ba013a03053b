using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Ownership;
using Realm.Server.Hosting;
using Realm.Server.Tests.Integration;
using Realm.Server.Tests.Simulation;

namespace Realm.Server.Tests.Hosting;

[TestFixture]
[CancelAfter(30_000)]
public sealed class RealmHostTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp() => _folder = Directory.CreateTempSubdirectory("realm-host-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task StartAsync_EmbeddedDefault_CreatesTheSqliteFileAndBindsUdp(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Assert.Multiple(() =>
        {
            Assert.That(File.Exists(Path.Combine(_folder, "data", "realm.db")), Is.True, "the SQLite file and its folder are created");
            Assert.That(host.DatabaseLocation, Is.EqualTo(Path.Combine(_folder, "data", "realm.db")));
            Assert.That(host.LocalEndPoint.Address, Is.EqualTo(IPAddress.Loopback));
            Assert.That(host.LocalEndPoint.Port, Is.Not.Zero);
            Assert.That(SpinWait.SpinUntil(() => host.Game.Metrics.Ticks > 0, TimeSpan.FromSeconds(10)), Is.True, "the logic thread ticks");
        });
    }

    [Test]
    public async Task StartAsync_NamedPools_EachStartedWithTheSchema_AndMonitoredHealthy(CancellationToken ct)
    {
        string shard = Path.Combine(_folder, "shard1", "realm.db");
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Pools:main:MinSize", "2"), ("Pools:shard_1:Provider", "Sqlite"), ("Pools:shard_1:SqlitePath", shard)),
            NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Assert.That(host.Data.Registry.Pools.Select(p => p.Name), Is.EqualTo(new[] { "main", "shard_1" }));
        Assert.That(host.Data.Registry.Get("main").Statistics.Total, Is.GreaterThanOrEqualTo(2), "warmed to MinSize");
        await host.Data.Monitor.CheckNowAsync(ct);
        Assert.That(host.Data.Monitor.GetHealth("shard_1").State, Is.EqualTo(Realm.Data.Monitoring.HealthState.Healthy));
        using Realm.Data.Pooling.PooledConnection lease = await host.Data.Registry.Get("shard_1").AcquireAsync(ct);
        object? players = await lease.Command(host.Data.Queries.Get(Realm.Data.Schema.DataQueries.PlayerLoad)).Set(0, 1L).ExecuteScalarAsync(ct);
        Assert.That(players, Is.Null, "the players table exists on the second pool's database (and is empty)");
    }

    [Test]
    public async Task StartAsync_EmbeddedDefault_OwnershipClaimsAndFencesSavesInProcess(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Assert.That(host.Locks.Name, Is.EqualTo("in-process"));

        ClaimResult claim = await host.Ownership.ClaimAsync(7, "Gil", ct);

        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        await using PlayerOwner owner = claim.Owner!;
        Assert.That((await host.Ownership.SaveAsync(owner, new PlayerState(1, 2, 3, 4), ct)).Outcome, Is.EqualTo(SaveOutcome.Saved));
        Assert.That(await new PlayerStore(host.Data.Main, host.Data.Queries).SaveAsync(7, new PlayerState(0, 0, 0, 0), owner.FencingToken - 1, ct), Is.False, "an older token was accepted");
    }

    [Test]
    [Category("Integration")]
    public async Task StartAsync_ThreeRedisServers_OwnershipUsesRedlock(CancellationToken ct)
    {
        string servers = TestServices.RequireRedis().ToString();
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Coordination:Redis", servers), ("Coordination:OwnershipLeaseMs", "2000"), ("Coordination:LoginWaitMs", "100")),
            NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Assert.That(host.Locks.Name, Does.StartWith("redlock(3)"));
        long id = Random.Shared.NextInt64(1, long.MaxValue);

        ClaimResult claim = await host.Ownership.ClaimAsync(id, "Hal", ct);
        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        await using PlayerOwner owner = claim.Owner!;
        ClaimResult again = await host.Ownership.ClaimAsync(id, "Hal", ct);

        Assert.That(again.Status, Is.EqualTo(ClaimStatus.OwnedElsewhere));
        Assert.That(again.Reason, Is.EqualTo("still logged in elsewhere"));
    }

    [Test]
    public async Task GameClient_LogsInOnTheHostsPort_AndIsSavedAtShutdown(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        await using RealmHost host = start.Host!;
        using var client = new GameTestClient(host.LocalEndPoint, "42:Ayla");
        client.PumpUntil(() => client.Welcome is not null, "welcome");

        Task stop = host.StopAsync();
        client.PumpUntil(() => client.Disconnected is not null, "shutdown notice");
        await stop;

        Assert.That(client.Disconnected!.Value.Text, Is.EqualTo("server shutting down"));
        await using var probe = new SqliteConnection($"Data Source={Path.Combine(_folder, "data", "realm.db")};Pooling=False");
        await probe.OpenAsync(ct);
        await using var command = probe.CreateCommand();
        command.CommandText = "SELECT name FROM players WHERE player_id = 42";
        Assert.That(await command.ExecuteScalarAsync(ct), Is.EqualTo("Ayla"), "the player was not stored");
    }

    [Test]
    public async Task ShardedHost_GameClientsAreStoredOnTheirRoutedShard_NotInMain(CancellationToken ct)
    {
        string a = Path.Combine(_folder, "a.db"), b = Path.Combine(_folder, "b.db");
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Pools:shard_a:Provider", "Sqlite"), ("Pools:shard_a:SqlitePath", a), ("Pools:shard_b:Provider", "Sqlite"), ("Pools:shard_b:SqlitePath", b),
                ("Shards:Strategy", "Jump"), ("Shards:LogicalShards", "4"), ("Shards:Pools", "shard_a,shard_b")),
            NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        RealmHost host = start.Host!;
        Assert.That(host.Data.Players, Is.TypeOf<Realm.Data.Sharding.PlayerRepository>());
        var router = ((Realm.Data.Sharding.PlayerRepository)host.Data.Players).Cluster.Router;
        long[] ids = [.. Enumerable.Range(1, 8).Select(i => (long)i)];
        var clients = ids.Select(id => new GameTestClient(host.LocalEndPoint, $"{id}:P{id}")).ToList();
        try
        {
            foreach (GameTestClient client in clients)
            {
                client.PumpUntil(() => client.Welcome is not null, "welcome");
            }

            Task stop = host.StopAsync();
            foreach (GameTestClient client in clients)
            {
                client.PumpUntil(() => client.Disconnected is not null, "shutdown notice");
            }

            await stop;
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        Assert.That(ids.Select(router.PoolOf).Distinct().Count(), Is.EqualTo(2), "the ids cover both shards");
        foreach (long id in ids)
        {
            string home = router.PoolOf(id);
            Assert.That(await CountPlayerAsync(home == "shard_a" ? a : b, id, ct), Is.EqualTo(1), $"player {id} on {home}");
            Assert.That(await CountPlayerAsync(home == "shard_a" ? b : a, id, ct), Is.Zero, $"player {id} also on the other shard");
            Assert.That(await CountPlayerAsync(Path.Combine(_folder, "data", "realm.db"), id, ct), Is.Zero, $"player {id} in main");
        }
    }

    [Test]
    [Category("Integration")]
    public async Task ShardedHost_OnMariaDbWithAReplica_ReadsThePlayerBackFromTheReplica(CancellationToken ct)
    {
        string primary = TestServices.RequireMySql(), replica = TestServices.RequireMySqlReplica();
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Pools:shard_a:Provider", "MySql"), ("Pools:shard_a:MySqlConnectionString", primary), ("Pools:shard_a_r:Provider", "MySql"), ("Pools:shard_a_r:MySqlConnectionString", replica),
                ("Shards:Strategy", "Ring"), ("Shards:LogicalShards", "2"), ("Shards:Pools", "shard_a"), ("Shards:Replicas:shard_a", "shard_a_r")),
            NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Realm.Data.Routing.ReplicaSet set = host.Data.ReplicaSets.Single();
        await set.CheckLagAsync(ct);
        Assert.That(set.Status.Single().InService, Is.True, set.Status.Single().Reason);
        long id = Random.Shared.NextInt64(1, long.MaxValue);
        ClaimResult claim = await host.Ownership.ClaimAsync(id, "Rey", ct);
        await using PlayerOwner owner = claim.Owner!;
        Assert.That((await host.Ownership.SaveAsync(owner, new PlayerState(3, 4, 5, 6), ct)).Outcome, Is.EqualTo(SaveOutcome.Saved));
        long replicaReads = set.Statistics.ReplicaReads;
        PlayerRecord loaded = (await host.Data.Players.LoadAsync(id, ct))!.Value;
        Assert.That((loaded.Zone, loaded.Gold), Is.EqualTo((3, 6L)), "read-your-writes through the replica");
        Assert.That(set.Statistics.ReplicaReads, Is.EqualTo(replicaReads + 1), "the load was served by the replica");
    }

    private static async Task<long> CountPlayerAsync(string path, long id, CancellationToken ct)
    {
        await using var probe = new SqliteConnection($"Data Source={path};Pooling=False");
        await probe.OpenAsync(ct);
        await using var command = probe.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM players WHERE player_id = {id}";
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    [Test]
    public async Task MalformedDatagrams_AreCountedAndDropped_AndTheHostKeepsServing(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        await using RealmHost host = start.Host!;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        byte[] payload = new byte[100];
        for (int i = 0; i < 5; i++)
        {
            await socket.SendToAsync(payload, SocketFlags.None, host.LocalEndPoint, ct);
        }

        Assert.That(SpinWait.SpinUntil(() => host.Net.Statistics.DroppedTotal == 5, TimeSpan.FromSeconds(10)), Is.True, $"dropped {host.Net.Statistics.DroppedTotal} of 5");
        using var client = new GameTestClient(host.LocalEndPoint, "43:Bo");
        client.PumpUntil(() => client.Welcome is not null, "welcome after the garbage");
    }

    [Test]
    public async Task StopAsync_Running_ReleasesThePortTheThreadAndTheDatabase(CancellationToken ct)
    {
        HostStartResult start = await RealmHost.StartAsync(HostTestOptions.Create(_folder), NullLoggerFactory.Instance, ct);
        RealmHost host = start.Host!;
        IPEndPoint endpoint = host.LocalEndPoint;

        await host.StopAsync();
        await host.StopAsync(); // idempotent

        Assert.That(host.IsStopped, Is.True);
        using (var rebind = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            Assert.DoesNotThrow(() => rebind.Bind(endpoint), "the UDP port is free again");
        }

        // An exclusive lock succeeds only when no other connection has the file open.
        await using var probe = new SqliteConnection($"Data Source={Path.Combine(_folder, "data", "realm.db")};Pooling=False");
        await probe.OpenAsync(ct);
        await using var exclusive = probe.CreateCommand();
        exclusive.CommandText = "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;";
        Assert.DoesNotThrowAsync(() => exclusive.ExecuteNonQueryAsync(ct));
    }

    [Test]
    public async Task StartAsync_PortInUse_FailsWithAMessageNamingThePort(CancellationToken ct)
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Network:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))), NullLoggerFactory.Instance, ct);

        Assert.That(start.Succeeded, Is.False);
        Assert.That(start.Error, Does.Contain($"UDP port {port}").And.Contain("already in use"));
    }

    [Test]
    public async Task StartAsync_UnreachableRedis_FailsNamingTheEndpointAndReleasesThePort(CancellationToken ct)
    {
        // A port with nothing listening on loopback: take one from the kernel and close it.
        int port;
        using (var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        }

        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int udpPort = ((IPEndPoint)udp.LocalEndPoint!).Port;
        udp.Close();

        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(
                _folder,
                ("Network:Port", udpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("Coordination:Redis", $"127.0.0.1:{port}"),
                ("Coordination:RedisConnectTimeoutMs", "500")),
            NullLoggerFactory.Instance,
            ct);

        Assert.That(start.Succeeded, Is.False);
        Assert.That(start.Error, Does.Contain($"Redis 127.0.0.1:{port}").And.Contain("does not answer"));
        using var rebind = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.DoesNotThrow(() => rebind.Bind(new IPEndPoint(IPAddress.Loopback, udpPort)), "the failed start released its UDP socket");
    }

    [Test]
    public async Task StartAsync_SqliteFolderBlockedByAFile_FailsNamingTheDatabase(CancellationToken ct)
    {
        string blocker = Path.Combine(_folder, "blocker");
        await File.WriteAllTextAsync(blocker, "not a folder", ct);
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Storage:SqlitePath", Path.Combine(blocker, "realm.db"))), NullLoggerFactory.Instance, ct);
        Assert.That(start.Succeeded, Is.False);
        Assert.That(start.Error, Does.Contain("cannot open the Sqlite database").And.Contain(blocker));
    }

    [Test]
    [Category("Integration")]
    public async Task StartAsync_MariaDbAndThreeRedis_StartsAgainstTheRealServers(CancellationToken ct)
    {
        string mysql = TestServices.RequireMySql();
        string redis = TestServices.RequireRedis().ToString();
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Storage:Provider", "MySql"), ("Storage:MySqlConnectionString", mysql), ("Coordination:Redis", redis)),
            NullLoggerFactory.Instance,
            ct);
        Assert.That(start.Succeeded, Is.True, start.Error);
        await using RealmHost host = start.Host!;
        Assert.That(host.DatabaseLocation, Does.Contain("@127.0.0.1:").And.EndWith("/realm_test"));
    }

    [Test]
    [Category("Integration")]
    public async Task StartAsync_MariaDbWrongPassword_FailsWithoutLeakingIt(CancellationToken ct)
    {
        string mysql = TestServices.RequireMySql();
        var builder = new MySql.Data.MySqlClient.MySqlConnectionStringBuilder(mysql) { Password = "definitely-wrong-pw" };
        HostStartResult start = await RealmHost.StartAsync(
            HostTestOptions.Create(_folder, ("Storage:Provider", "MySql"), ("Storage:MySqlConnectionString", builder.ConnectionString)),
            NullLoggerFactory.Instance,
            ct);
        Assert.That(start.Succeeded, Is.False);
        Assert.That(start.Error, Does.Contain("cannot open the MySql database").And.Not.Contain("definitely-wrong-pw"));
    }
}
