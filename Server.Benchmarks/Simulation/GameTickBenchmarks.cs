using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Locking;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Schema;
using Realm.Server.Hosting.Options;
using Realm.Server.Net.Transport;
using Realm.Server.Simulation;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;

namespace Realm.Server.Benchmarks.Simulation;

/// <summary>
/// Question: what does one tick cost with N players moving in one zone, and what does serializing each
/// cell once (grouped) save against serializing it for every observer (baseline)? One operation is one
/// <see cref="GameServer.Tick"/>: every player moves (pacing across cell borders), cell changes raise
/// enter/leave events, and every player is sent the snapshots of its 3 × 3 cells. The zone is 1 km with
/// 25 m cells (the defaults). Sends go to a counting link, so the transport's own cost (measured in
/// TransportPathBenchmarks) is not in these figures. Target (TARGETS.md): 0 B per tick; grouped
/// serialization ≥ 5 × fewer bytes. The bytes per tick are printed by the setup.
/// </summary>
[MemoryDiagnoser]
public class GameTickBenchmarks
{
    private readonly List<(Entity Entity, int HomeX, int HomeY)> _entities = [];
    private ConnectionPool _pool = null!;
    private DistributedLock _locks = null!;
    private NetHost _host = null!;
    private GameServer _server = null!;
    private long _tick;

    [Params(1_000, 5_000)]
    public int Players { get; set; }

    [GlobalSetup(Target = nameof(PerObserver))]
    public void SetupPerObserver() => Setup(grouped: false);

    [GlobalSetup(Target = nameof(Grouped))]
    public void SetupGrouped() => Setup(grouped: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.Dispose();
        _host.Dispose();
        _locks.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _entities.Clear();
    }

    [Benchmark(Baseline = true)]
    public void PerObserver() => Step();

    [Benchmark]
    public void Grouped() => Step();

    private void Step()
    {
        long tick = ++_tick;
        int offset = (int)(tick % 20) < 10 ? 30 : -30; // 10 ticks out, 10 back, at 90 % of full speed
        foreach ((Entity e, int homeX, int homeY) in _entities)
        {
            e.TargetX = e.X + Math.Clamp(homeX + (offset * 10) - e.X, -30, 30);
            e.TargetY = homeY;
            e.InputSequence++;
            e.HasInput = true;
        }

        _server.Tick(tick);
    }

    private void Setup(bool grouped)
    {
        string path = Path.Combine(Path.GetTempPath(), $"realm-bench-{Guid.NewGuid():N}.db");
        if (!DatabaseEndpoint.TryCreateSqlite(path, out DatabaseEndpoint? endpoint, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _pool = new ConnectionPool("bench", endpoint!, new ConnectionPoolOptions { MaxSize = 2 });
        DataSchema.ApplyAsync(_pool).GetAwaiter().GetResult();
        var catalog = new QueryCatalog();
        DataQueries.AddTo(catalog);
        _locks = DistributedLock.CreateInProcess();
        _host = new NetHost(new NetHostOptions());
        if (!_host.StartServer(IPAddress.Loopback, 0, out error))
        {
            throw new InvalidOperationException(error);
        }

        var options = new GameOptions { Zones = 1, ZoneSize = 100_000, CellSize = 2_500, TickRate = 30, SummaryIntervalSeconds = 0 };
        _server = new GameServer(options, _host, new PlayerOwnership(_locks, new PlayerStore(_pool, catalog)), new DevelopmentAuthenticator(), NullLogger.Instance)
        {
            GroupedBroadcast = grouped,
        };
        var random = new Random(42);
        for (int i = 0; i < Players; i++)
        {
            int x = random.Next(100_000);
            int y = random.Next(100_000);
            var identity = new PlayerIdentity(i + 1, $"p{i + 1}", Encoding.UTF8.GetBytes($"p{i + 1}"));
            _entities.Add((_server.JoinWithoutClaim(new CountingLink(i + 1), identity, 0, x, y), x, y));
        }

        for (int i = 0; i < 100; i++)
        {
            Step(); // warm-up: lists and snapshot buffers at their size
        }

        long serialized = _server.SnapshotBytesSerialized;
        long sent = _server.SnapshotBytesSent;
        for (int i = 0; i < 30; i++)
        {
            Step();
        }

        Console.WriteLine($"// {Players} players, {(grouped ? "grouped" : "per observer")}: {(_server.SnapshotBytesSerialized - serialized) / 30} B serialized per tick, {(_server.SnapshotBytesSent - sent) / 30} B of snapshots sent per tick");
    }
}
