using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Locking;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Hosting.Options;
using Realm.Server.Net.Transport;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Tests.Data.Ownership;

namespace Realm.Server.Tests.Simulation;

/// <summary>
/// The game host end to end on loopback: a real transport, the logic thread, SQLite and in-process ownership;
/// clients are real transport clients pumped from the test thread. Zones are 200 m with 10 m cells here.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class GameServerTests
{
    private const int Cell = 1_000;
    private ConnectionPool _pool = null!;
    private DistributedLock _locks = null!;
    private PlayerOwnership _ownership = null!;
    private PlayerStore _store = null!;
    private NetHost _host = null!;
    private GameServer _server = null!;
    private IPEndPoint _endpoint = null!;
    private readonly List<GameTestClient> _clients = [];

    [SetUp]
    public void SetUp() => Start(new GameOptions
    {
        TickRate = 30,
        Zones = 2,
        ZoneSize = 20_000,
        CellSize = Cell,
        SpawnRadius = 0,
        MaxSpeed = 1_000,
        MaxPlayers = 4,
        ChatMaxBytes = 50,
        ChatLinesPer10Seconds = 3,
        ChatViolationsToDisconnect = 3,
        SummaryIntervalSeconds = 0,
    });

    [TearDown]
    public async Task TearDown()
    {
        foreach (GameTestClient client in _clients)
        {
            client.Dispose();
        }

        _clients.Clear(); // NUnit keeps one fixture instance for every test

        await _server.StopAsync(TimeSpan.FromSeconds(5));
        _server.Dispose();
        _host.Dispose();
        Assert.That(_server.Failure, Is.Null, "the logic thread failed");
        await _locks.DisposeAsync();
        await _pool.DisposeAsync();
    }

    [Test]
    public void Login_TwoPlayersInOneCell_AreWelcomed_SeeEachOtherEnter_AndGetSnapshots()
    {
        GameTestClient a = Join("1:Ayla");
        GameTestClient b = Join("2:Bo");

        GameTestClient.PumpAllUntil(_clients, () => a.InView.ContainsValue(2) && b.InView.ContainsValue(1), "each sees the other enter");
        uint aId = a.Welcome!.Value.EntityId;
        uint bId = b.Welcome!.Value.EntityId;
        Assert.That((a.Welcome.Value.PlayerId, b.Welcome.Value.PlayerId), Is.EqualTo((1L, 2L)));
        Assert.That((a.Welcome.Value.X, a.Welcome.Value.Y), Is.EqualTo((10_000, 10_000)), "a new player starts at the zone's centre");
        GameTestClient.PumpAllUntil(_clients, () => a.Positions.ContainsKey(bId) && b.Positions.ContainsKey(aId), "snapshots of both");
        Assert.That(b.Positions[aId], Is.EqualTo((10_000, 10_000)));
    }

    [Test]
    public async Task Movement_AcrossCells_EnterWhenNear_LeaveWhenFar_AndNothingOutsideTheArea()
    {
        await PlaceAsync(3, "Cy", 0, 10_000 + (5 * Cell), 10_000); // five cells east of the centre: out of view
        GameTestClient a = Join("1:Ayla");
        GameTestClient c = Join("3:Cy");
        GameTestClient.PumpAllUntil(_clients, () => a.Welcome is not null && c.Welcome is not null, "both in");
        GameTestClient.PumpAllFor(_clients, 300);
        Assert.That(a.InView, Is.Empty, "a player five cells away is visible");
        Assert.That(a.Positions.ContainsKey(c.Welcome!.Value.EntityId), Is.False, "a snapshot of a cell out of view arrived");

        // Cy walks west at full speed (1,000 cm/s, 33 cm a tick) until it is two cells from Ayla: then both see each other.
        WalkTo(c, 10_000 + (2 * Cell) - 100, 10_000, () => a.InView.ContainsValue(3) && c.InView.ContainsValue(1));
        Assert.That(c.Corrections, Is.Empty, "a move within the speed cap was corrected");
        uint cId = c.Welcome.Value.EntityId;
        a.PumpUntil(() => a.Positions.TryGetValue(cId, out (int X, int Y) at) && at == (10_000 + (2 * Cell) - 100, 10_000), "Ayla's snapshots show where Cy stopped");

        // And back east: out of view again, with leave events both ways.
        WalkTo(c, 10_000 + (4 * Cell) + 100, 10_000, () => !a.InView.ContainsValue(3) && !c.InView.ContainsValue(1));
        Assert.That(a.Left, Does.Contain(c.Welcome.Value.EntityId));
        Assert.That(c.Left, Does.Contain(a.Welcome!.Value.EntityId));
    }

    [Test]
    public void Move_FasterThanTheCapOrOutOfBounds_IsCorrectedWithTheServersPosition()
    {
        GameTestClient a = Join("1:Ayla");
        a.PumpUntil(() => a.Welcome is not null, "welcome");

        a.Move(19_000, 10_000); // 90 m in one input
        a.PumpUntil(() => a.Corrections.Count > 0, "a correction");
        PositionCorrection teleport = a.Corrections[0];
        Assert.That(teleport.X - 10_000, Is.InRange(1, 500), "moved at most half a second of full speed (the banked budget)");
        Assert.That(teleport.Y, Is.EqualTo(10_000));

        a.Move(teleport.X, -50); // below zero: out of the zone
        a.PumpUntil(() => a.Corrections.Count > 1, "a second correction");
        Assert.That(a.Corrections[1].Y, Is.GreaterThanOrEqualTo(0));
        Assert.That(_server.Corrections, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void Chat_ZoneLineReachesTheZoneOnly_WhisperReachesItsTarget()
    {
        GameTestClient a = Join("1:Ayla");
        GameTestClient b = Join("2:Bo");
        GameTestClient c = Join("3:Cy");
        GameTestClient.PumpAllUntil(_clients, () => _clients.All(x => x.Welcome is not null), "all in");
        c.ChangeZone(1);
        GameTestClient.PumpAllUntil(_clients, () => c.Welcome!.Value.Zone == 1, "Cy in zone 1");

        a.Say("hello zone");
        GameTestClient.PumpAllUntil(_clients, () => b.Chat.Count == 1 && a.Chat.Count == 1, "zone chat");
        a.Say("psst", ChatScope.Whisper, target: 3);
        GameTestClient.PumpAllUntil(_clients, () => c.Chat.Count == 1, "whisper");
        GameTestClient.PumpAllFor(_clients, 200);

        Assert.That(b.Chat, Is.EqualTo(new[] { (ChatScope.Zone, 1L, "hello zone") }));
        Assert.That(c.Chat, Is.EqualTo(new[] { (ChatScope.Whisper, 1L, "psst") }), "a zone line crossed zones, or the whisper went astray");
        Assert.That(b.Chat.Count, Is.EqualTo(1), "a whisper reached a bystander");
    }

    [Test]
    public void Chat_TooLongAndTooFast_GetErrors_RepeatedAbuseDisconnects()
    {
        GameTestClient a = Join("1:Ayla");
        a.PumpUntil(() => a.Welcome is not null, "welcome");

        a.Say(new string('x', 51));
        a.PumpUntil(() => a.Errors.Count == 1, "too long");
        Assert.That(a.Errors[0], Is.EqualTo(ErrorCode.ChatTooLong));
        for (int i = 0; i < 4; i++)
        {
            a.Say($"line {i}"); // 3 allowed per 10 s; the 4th is the second violation
        }

        a.PumpUntil(() => a.Errors.Count == 2, "rate limited");
        Assert.That(a.Errors[1], Is.EqualTo(ErrorCode.ChatRateLimited));
        Assert.That(a.Chat, Has.Count.EqualTo(3));
        a.Say("one more"); // third violation: disconnected
        a.PumpUntil(() => a.Disconnected is not null, "disconnected for abuse");
        Assert.That(a.Disconnected!.Value.Text, Is.EqualTo("chat abuse"));
    }

    [Test]
    public void SecondLoginOfOnePlayer_DisconnectsTheOlderSession_AndTheNewOneTakesOver()
    {
        GameTestClient first = Join("1:Ayla");
        first.PumpUntil(() => first.Welcome is not null, "first welcome");
        GameTestClient second = Join("1:Ayla");

        GameTestClient.PumpAllUntil(_clients, () => first.Disconnected is not null && second.Welcome is not null, "takeover");
        Assert.That(first.Disconnected!.Value.Text, Is.EqualTo("logged in elsewhere"));
        second.AskStatus();
        second.PumpUntil(() => second.Status.Count == 1, "status");
        Assert.That(second.Status[0].Ccu, Is.EqualTo(1u));
    }

    [TestCase("1:Ayla", (ushort)2, "protocol version 1 required")]
    [TestCase("nonsense", (ushort)1, "bad token")]
    [TestCase("0:Zero", (ushort)1, "positive")]
    public void Login_BadVersionOrToken_IsRejectedWithAReason(string token, ushort version, string reason)
    {
        var client = new GameTestClient(_endpoint, token, version);
        _clients.Add(client);
        client.PumpUntil(() => client.Disconnected is not null, "rejection");
        Assert.That(client.Disconnected!.Value.Text, Does.Contain(reason));
        Assert.That(client.Welcome, Is.Null);
    }

    [Test]
    public void Login_ServerFull_IsRejected()
    {
        for (int i = 1; i <= 4; i++)
        {
            Join($"{i}:P{i}");
        }

        GameTestClient.PumpAllUntil(_clients, () => _clients.All(c => c.Welcome is not null), "four in");
        GameTestClient fifth = Join("5:P5");
        fifth.PumpUntil(() => fifth.Disconnected is not null, "rejection");
        Assert.That(fifth.Disconnected!.Value.Text, Is.EqualTo("server full"));
    }

    [Test]
    public async Task Login_PlayerOwnedByAnotherServer_IsRefusedStillLoggedInElsewhere()
    {
        // Another server holds player 7 through the shared lock service.
        PlayerOwnership elsewhere = new(_locks, _store, new PlayerOwnershipOptions { Lease = TimeSpan.FromSeconds(5) });
        ClaimResult held = await elsewhere.ClaimAsync(7, "Gil");
        Assert.That(held.Status, Is.EqualTo(ClaimStatus.Owned));
        await using PlayerOwner owner = held.Owner!;

        GameTestClient client = Join("7:Gil");
        client.PumpUntil(() => client.Disconnected is not null, "refusal", seconds: 15);
        Assert.That(client.Disconnected!.Value.Text, Is.EqualTo("still logged in elsewhere"));
        Assert.That(client.Welcome, Is.Null);
    }

    [Test]
    public async Task Shutdown_TellsEveryClient_AndSavesWherePlayersStood()
    {
        GameTestClient a = Join("1:Ayla");
        a.PumpUntil(() => a.Welcome is not null, "welcome");
        WalkTo(a, 10_300, 10_000, () => true);
        GameTestClient.PumpAllFor(_clients, 200);

        Task stop = _server.StopAsync(TimeSpan.FromSeconds(10));
        a.PumpUntil(() => a.Disconnected is not null, "shutdown notice");
        await stop;

        Assert.That(a.Disconnected!.Value.Text, Is.EqualTo("server shutting down"));
        PlayerRecord saved = (await _store.LoadAsync(1))!.Value;
        Assert.That((saved.X, saved.Y), Is.EqualTo((10_300, 10_000)));
        LockAcquisition free = await _locks.TryAcquireAsync(PlayerOwnership.Resource(1), TimeSpan.FromSeconds(1), TimeSpan.Zero);
        Assert.That(free.Acquired, Is.True, "the player's ownership was not released after the final save");
        await free.Handle!.DisposeAsync();
    }

    [Test]
    public async Task SilentClient_IsDisconnectedOnceWithTimeout_LeavesTheOthersView_AndIsSaved()
    {
        GameTestClient a = Join("1:Ayla");
        GameTestClient b = Join("2:Bo");
        GameTestClient.PumpAllUntil(_clients, () => a.InView.ContainsValue(2) && b.Welcome is not null, "both in");
        uint bId = b.Welcome!.Value.EntityId;

        // Bo's client stops (no more pumping, so no datagrams); the server's timeout is 2 s here.
        a.PumpUntil(() => a.Left.Contains(bId), "Bo's entity left Ayla's view", seconds: 10);
        a.PumpUntil(() => _server.Online == 1, "one player online", seconds: 5);
        GameTestClient.PumpAllFor([a], 500);

        Assert.That(a.Left.Count(id => id == bId), Is.EqualTo(1), "one disconnect, one leave");
        Assert.That(await _store.LoadAsync(2), Is.Not.Null, "Bo was never stored");
        LockAcquisition free = await _locks.TryAcquireAsync(PlayerOwnership.Resource(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.That(free.Acquired, Is.True, "Bo's ownership was not released after the timeout");
        await free.Handle!.DisposeAsync();
    }

    [Test]
    public async Task OwnershipLeaseLost_EndsTheSessionWithTheReason()
    {
        // A second game server whose ownership locks are never renewed (as if its lock service stopped
        // answering): the lease runs out, the ownership ends, and the server ends the session.
        await using DistributedLock unrenewed = DistributedLock.CreateInProcess(new LockOptions { AutoRenew = false });
        var ownership = new PlayerOwnership(unrenewed, _store, new PlayerOwnershipOptions { Lease = TimeSpan.FromMilliseconds(300) });
        using var host = new NetHost(new NetHostOptions { MaxPeers = 4 });
        Assert.That(host.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        var options = new GameOptions { ZoneSize = 20_000, CellSize = Cell, SpawnRadius = 0, SummaryIntervalSeconds = 0 };
        using var server = new GameServer(options, host, ownership, new DevelopmentAuthenticator(), NullLogger.Instance);
        server.Start();
        try
        {
            using var client = new GameTestClient(host.LocalEndPoint!, "8:Hal");
            client.PumpUntil(() => client.Welcome is not null, "welcome");

            client.PumpUntil(() => client.Disconnected is not null, "session ended");

            Assert.That(client.Disconnected!.Value.Text, Is.EqualTo("the ownership lease was lost"));
        }
        finally
        {
            await server.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Test]
    public void Status_ReportsOnlinePlayersAndTickFigures()
    {
        GameTestClient a = Join("1:Ayla");
        GameTestClient b = Join("2:Bo");
        GameTestClient.PumpAllUntil(_clients, () => a.Welcome is not null && b.Welcome is not null, "both in");
        GameTestClient.PumpAllFor(_clients, 300);

        a.AskStatus();
        a.PumpUntil(() => a.Status.Count == 1, "status");

        StatusResponse status = a.Status[0];
        Assert.That(status.Ccu, Is.EqualTo(2u));
        Assert.That(status.Ticks, Is.GreaterThan(5ul));
        Assert.That(status.TickMaxUs, Is.GreaterThanOrEqualTo(status.TickP99Us).And.GreaterThanOrEqualTo(status.TickP50Us));
        Assert.That(status.MessagesIn, Is.GreaterThan(0ul));
    }

    private void Start(GameOptions options)
    {
        (_pool, _store) = PlayerStoreSupport.CreateAsync(DatabaseProvider.Sqlite, "game", 4).GetAwaiter().GetResult();
        _locks = DistributedLock.CreateInProcess();
        _ownership = new PlayerOwnership(_locks, _store, new PlayerOwnershipOptions { Lease = TimeSpan.FromSeconds(5), LoginWait = TimeSpan.FromMilliseconds(300) });
        _host = new NetHost(new NetHostOptions { MaxPeers = 16, DisconnectTimeout = TimeSpan.FromSeconds(2) });
        Assert.That(_host.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        _endpoint = _host.LocalEndPoint!;
        _server = new GameServer(options, _host, _ownership, new DevelopmentAuthenticator(), NullLogger.Instance);
        _server.Start();
    }

    private GameTestClient Join(string token)
    {
        var client = new GameTestClient(_endpoint, token);
        _clients.Add(client);
        return client;
    }

    private async Task PlaceAsync(long player, string name, int zone, int x, int y)
    {
        ClaimResult claim = await _ownership.ClaimAsync(player, name);
        Assert.That(claim.Status, Is.EqualTo(ClaimStatus.Owned), claim.Reason);
        await using PlayerOwner owner = claim.Owner!;
        Assert.That((await _ownership.SaveAsync(owner, new PlayerState(zone, x, y, 0))).Outcome, Is.EqualTo(SaveOutcome.Saved));
    }

    /// <summary>Sends one input per tick at 90 % of full speed towards the target, pumping every client, until <paramref name="done"/> after arriving.</summary>
    private void WalkTo(GameTestClient walker, int x, int y, Func<bool> done)
    {
        (int cx, int cy) = (walker.Welcome!.Value.X, walker.Welcome.Value.Y);
        if (walker.Corrections.Count > 0)
        {
            (cx, cy) = (walker.Corrections[^1].X, walker.Corrections[^1].Y);
        }

        const int Step = 30; // cm per tick: 900 cm/s at 30 Hz
        long deadline = Environment.TickCount64 + 20_000;
        while ((cx, cy) != (x, y) || !done())
        {
            Assert.That(Environment.TickCount64, Is.LessThan(deadline), $"walk to ({x}, {y}) did not finish");
            cx += Math.Clamp(x - cx, -Step, Step);
            cy += Math.Clamp(y - cy, -Step, Step);
            walker.Move(cx, cy);
            GameTestClient.PumpAllFor(_clients, 34);
        }
    }
}
