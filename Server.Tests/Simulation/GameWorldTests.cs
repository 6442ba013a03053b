using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Locking;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Server.Hosting.Options;
using Realm.Server.Net.Transport;
using Realm.Server.Protocol;
using Realm.Server.Protocol.Messages;
using Realm.Server.Simulation;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;
using Realm.Server.Tests.Data.Ownership;

namespace Realm.Server.Tests.Simulation;

/// <summary>The world's tick driven directly (no logic thread, no clients): area of interest, grouped broadcast, allocation.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class GameWorldTests
{
    private ConnectionPool _pool = null!;
    private DistributedLock _locks = null!;
    private NetHost _host = null!;
    private GameServer _server = null!;

    [SetUp]
    public void SetUp()
    {
        (_pool, PlayerStore store) = PlayerStoreSupport.CreateAsync(DatabaseProvider.Sqlite, "world", 2).GetAwaiter().GetResult();
        _locks = DistributedLock.CreateInProcess();
        _host = new NetHost(new NetHostOptions());
        Assert.That(_host.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        var options = new GameOptions { Zones = 1, ZoneSize = 20_000, CellSize = 2_500, MaxSpeed = 1_000, TickRate = 30, SummaryIntervalSeconds = 0 };
        _server = new GameServer(options, _host, new PlayerOwnership(_locks, store), new DevelopmentAuthenticator(), NullLogger.Instance);
    }

    [TearDown]
    public async Task TearDown()
    {
        _server.Dispose();
        _host.Dispose();
        await _locks.DisposeAsync();
        await _pool.DisposeAsync();
    }

    [Test]
    public void Snapshots_CarryOnlyEntitiesOfTheThreeByThreeCellsAroundTheObserver()
    {
        var random = new Random(7);
        var links = new List<(CountingLink Link, Entity Entity)>();
        for (int i = 0; i < 60; i++)
        {
            var link = new CountingLink(i + 1, keep: true);
            links.Add((link, _server.JoinWithoutClaim(link, Identity(i + 1), 0, random.Next(20_000), random.Next(20_000))));
        }

        _server.Tick(1);

        var where = links.ToDictionary(l => l.Entity.Id, l => l.Entity);
        foreach ((CountingLink link, Entity observer) in links)
        {
            var seen = new HashSet<uint>();
            foreach (byte[] payload in link.Kept.Where(p => p[0] == MessageIds.CellSnapshot))
            {
                var reader = new PacketReader(payload);
                Assert.That(Message.TryRead(ref reader, out CellSnapshot snapshot), Is.True);
                for (int e = 0; e < snapshot.Count; e++)
                {
                    Assert.That(CellSnapshot.TryReadEntry(ref reader, out uint entity, out int x, out int y), Is.True);
                    seen.Add(entity);
                    Entity other = where[entity];
                    Assert.That((x, y), Is.EqualTo((other.X, other.Y)));
                }
            }

            Zone zone = observer.Zone!;
            var expected = links.Where(l => zone.AreNeighbours(observer.Cell, l.Entity.Cell)).Select(l => l.Entity.Id).ToHashSet();
            Assert.That(seen, Is.EquivalentTo(expected), $"entity {observer.Id} in cell {observer.Cell}");
        }
    }

    [Test]
    public void GroupedBroadcast_InACrowd_SerializesAtLeastFiveTimesFewerBytesThanPerObserver()
    {
        // 400 players in a 200 m zone of 25 m cells: ~6 per cell, each observer sees ~9 cells.
        var random = new Random(11);
        var entities = new List<Entity>();
        for (int i = 0; i < 400; i++)
        {
            entities.Add(_server.JoinWithoutClaim(new CountingLink(i + 1), Identity(i + 1), 0, random.Next(20_000), random.Next(20_000)));
        }

        long serializedBefore = _server.SnapshotBytesSerialized;
        long sentBefore = _server.SnapshotBytesSent;
        for (int tick = 1; tick <= 30; tick++)
        {
            Walk(entities, random);
            _server.Tick(tick);
        }

        long grouped = _server.SnapshotBytesSerialized - serializedBefore;
        long perObserver = _server.SnapshotBytesSent - sentBefore;
        Assert.That(perObserver / (double)grouped, Is.GreaterThanOrEqualTo(5.0), $"grouped {grouped} B, per observer {perObserver} B");

        // The baseline does what its name says: every byte sent is serialized for its observer.
        _server.GroupedBroadcast = false;
        serializedBefore = _server.SnapshotBytesSerialized;
        sentBefore = _server.SnapshotBytesSent;
        Walk(entities, random);
        _server.Tick(31);
        Assert.That(_server.SnapshotBytesSerialized - serializedBefore, Is.EqualTo(_server.SnapshotBytesSent - sentBefore));
    }

    [Test]
    public void Tick_SteadyStateWithMovingPlayers_AllocatesNothing()
    {
        // Players pace around their spawn point (±1.5 m), many of them across a cell border and back: moves,
        // enter/leave events and snapshots every tick, with cell occupancy that stops growing after warm-up.
        var random = new Random(3);
        var entities = new List<(Entity Entity, int HomeX, int HomeY)>();
        for (int i = 0; i < 300; i++)
        {
            int x = random.Next(20_000);
            int y = random.Next(20_000);
            entities.Add((_server.JoinWithoutClaim(new CountingLink(i + 1), Identity(i + 1), 0, x, y), x, y));
        }

        long tick = 1;
        for (; tick <= 200; tick++)
        {
            Pace(entities, tick);
            _server.Tick(tick);
        }

        long serializedBefore = _server.SnapshotBytesSerialized;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 300; i++, tick++)
        {
            Pace(entities, tick);
            _server.Tick(tick);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(_server.SnapshotBytesSerialized, Is.GreaterThan(serializedBefore), "the ticks did no work");
        Assert.That(allocated, Is.Zero, $"{allocated} B over 300 ticks");
    }

    private static void Pace(List<(Entity Entity, int HomeX, int HomeY)> entities, long tick)
    {
        int offset = (int)(tick % 20) < 10 ? 150 : -150; // 10 ticks out, 10 ticks back
        foreach ((Entity e, int homeX, int homeY) in entities)
        {
            e.TargetX = Math.Clamp(homeX + offset, 0, 19_999);
            e.TargetY = homeY;
            e.InputSequence++;
            e.HasInput = true;
        }
    }

    private static void Walk(List<Entity> entities, Random random)
    {
        foreach (Entity e in entities)
        {
            e.TargetX = Math.Clamp(e.X + random.Next(-30, 31), 0, 19_999);
            e.TargetY = Math.Clamp(e.Y + random.Next(-30, 31), 0, 19_999);
            e.InputSequence++;
            e.HasInput = true;
        }
    }

    private static PlayerIdentity Identity(long id) => new(id, $"p{id}", Encoding.UTF8.GetBytes($"p{id}"));
}
