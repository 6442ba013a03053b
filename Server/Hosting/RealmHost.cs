using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using Realm.Data.Coordination;
using Realm.Data.Locking;
using Realm.Data.Ownership;
using Realm.Data.Providers;
using Realm.Server.Hosting.Options;
using Realm.Server.Net.Transport;
using Realm.Server.Simulation;
using Realm.Server.Simulation.Sessions;
using StackExchange.Redis;

namespace Realm.Server.Hosting;

/// <summary>
/// The running server: its data tier (connection pools, health monitor, query catalog), player ownership (locks
/// in-process, on Redis or Redlock, with fenced saves), its UDP socket and receive thread. Built by
/// <see cref="StartAsync"/>, which checks every dependency before reporting success, and torn down by
/// <see cref="StopAsync"/>, which releases everything it took.
/// </summary>
internal sealed class RealmHost : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly DataTier _data;
    private readonly DistributedLock _locks;
    private readonly NetHost _net;
    private readonly GameServer _game;
    private readonly ServerMetrics _metrics;
    private readonly long _startedAt;
    private int _stopped;

    private RealmHost(ILogger logger, DataTier data, DistributedLock locks, PlayerOwnership ownership, NetHost net, GameServer game, IPEndPoint localEndPoint, string databaseLocation)
    {
        _logger = logger;
        _data = data;
        _locks = locks;
        Ownership = ownership;
        _net = net;
        _game = game;
        _metrics = new ServerMetrics(game, net);
        LocalEndPoint = localEndPoint;
        DatabaseLocation = databaseLocation;
        _startedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The bound UDP endpoint (the real port when configured with port 0).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Where the database is (file path or user@host:port/db).</summary>
    public string DatabaseLocation { get; }

    /// <summary>The transport the game clients connect to.</summary>
    public NetHost Net => _net;

    /// <summary>The game host on its logic thread.</summary>
    public GameServer Game => _game;

    /// <summary>The connection pools, health monitor and query catalog.</summary>
    public DataTier Data => _data;

    /// <summary>The lock service the ownership uses (in-process, one Redis, or Redlock).</summary>
    public IDistributedLock Locks => _locks;

    /// <summary>Claims players on login and fences their saves, on the main pool.</summary>
    public PlayerOwnership Ownership { get; }

    public bool IsStopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>
    /// Binds the UDP socket, opens the database, checks every configured Redis server, then starts the
    /// receive thread. On any failure, releases what it took and returns the reason.
    /// </summary>
    public static async Task<HostStartResult> StartAsync(RealmOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ILogger logger = loggerFactory.CreateLogger("Realm.Server");
        string version = typeof(RealmHost).Assembly.GetName().Version?.ToString() ?? "?";
        HostLog.Starting(logger, version, Environment.ProcessId);

        NetworkOptions network = options.Network;
#pragma warning disable CA2000 // disposed by FailAsync on every failure below, owned by the host on success
        var net = new NetHost(new NetHostOptions
        {
            MaxPeers = options.Game.MaxPlayers + 64, // the game refuses past MaxPlayers with "server full"; the transport keeps room to say so
            SocketBufferBytes = Math.Max(network.ReceiveBufferBytes, network.SendBufferBytes),
            DisconnectTimeout = TimeSpan.FromMilliseconds(options.Game.DisconnectTimeoutMs),
            MaxConnectAttemptsPerSecond = network.MaxConnectAttemptsPerSecond,
        });
#pragma warning restore CA2000
        if (!net.StartServer(network.Host, network.Port, out string? bindError))
        {
            net.Dispose();
            return await FailAsync(logger, bindError!);
        }

        DataTier? database = null;
        try
        {
            DatabaseEndpoint endpoint = options.Storage.Endpoint;
            try
            {
#pragma warning disable CA2000 // disposed by FailAsync on every failure below, owned by the host on success
                database = await DataTier.StartAsync(options.Pools, options.Shards, loggerFactory, cancellationToken);
#pragma warning restore CA2000
                (string engineVersion, DatabaseEndpoint main) = await database.DescribeMainAsync(cancellationToken);
                endpoint = main;
                string provider = main.Provider.ToString();
                string pools = string.Join(", ", database.Registry.Pools.Select(p => p.Name));
                HostLog.DatabaseOpened(logger, provider, main.DisplayName, engineVersion);
                HostLog.PoolsReady(logger, database.Registry.Pools.Count, pools);
                ShardsOptions shards = options.Shards;
                if (shards.Strategy != ShardStrategyKind.None)
                {
                    string strategy = shards.Strategy.ToString();
                    string primaries = string.Join(", ", shards.Pools);
                    int replicaCount = shards.ReplicaPools.Count();
                    HostLog.ShardsReady(logger, strategy, shards.LogicalShards, primaries, replicaCount);
                }
            }
            catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is AggregateException or Realm.Data.Queries.QueryCatalogException or Realm.Data.Pooling.PoolTimeoutException)
            {
                string reason = e is AggregateException a ? string.Join("; ", a.InnerExceptions.Select(i => i.Message)) : e.Message;
                return await FailAsync(logger, $"cannot open the {endpoint.Provider} database {endpoint.DisplayName}: {reason}", net, database);
            }

            if (options.Coordination.Redis is { } redis)
            {
                TimeSpan timeout = TimeSpan.FromMilliseconds(options.Coordination.RedisConnectTimeoutMs);
                foreach (DnsEndPoint server in redis.Endpoints)
                {
                    try
                    {
                        RedisProbeResult probe = await RedisProbe.PingAsync(server, timeout);
                        string name = RedisEndpointList.Format(server);
                        HostLog.RedisAnswered(logger, name, probe.RoundTrip.TotalMilliseconds, probe.ServerVersion);
                    }
                    catch (RedisException e)
                    {
                        return await FailAsync(logger, $"Redis {RedisEndpointList.Format(server)} (Coordination:Redis) does not answer: {e.Message}", net, database);
                    }
                }
            }
            else
            {
                HostLog.InProcessCoordination(logger);
            }

            CoordinationOptions coordination = options.Coordination;
#pragma warning disable CA2000 // disposed on the failure path below, owned by the host on success
            DistributedLock locks = await DistributedLock.ConnectAsync(coordination.Redis, new LockOptions(), loggerFactory.CreateLogger("Realm.Data.Locking"));
#pragma warning restore CA2000
            PlayerOwnership ownership;
            try
            {
                var ownershipOptions = new PlayerOwnershipOptions
                {
                    Lease = TimeSpan.FromMilliseconds(coordination.OwnershipLeaseMs),
                    LoginWait = TimeSpan.FromMilliseconds(coordination.LoginWaitMs),
                };
                ownership = new PlayerOwnership(locks, database.Players, ownershipOptions, loggerFactory.CreateLogger("Realm.Data.Ownership"));
            }
            catch
            {
                await locks.DisposeAsync();
                throw;
            }

            HostLog.OwnershipReady(logger, locks.Name, coordination.OwnershipLeaseMs, coordination.LoginWaitMs);
            IPEndPoint local = net.LocalEndPoint!;
            HostLog.Listening(logger, local, net.ReceiveBufferBytes, network.ReceiveBufferBytes, net.SendBufferBytes, network.SendBufferBytes);
            if (net.ReceiveBufferBytes < network.ReceiveBufferBytes)
            {
                HostLog.ReceiveBufferShort(logger, net.ReceiveBufferBytes, network.ReceiveBufferBytes);
            }

            GameOptions game = options.Game;
#pragma warning disable CA2000 // ownership passes to the caller through HostStartResult
            var gameServer = new GameServer(game, net, ownership, new DevelopmentAuthenticator(), loggerFactory.CreateLogger("Realm.Game"));
            var host = new RealmHost(logger, database, locks, ownership, net, gameServer, local, endpoint.DisplayName);
#pragma warning restore CA2000
            gameServer.Start();
            HostLog.GameStarted(logger, game.TickRate, game.Zones, game.ZoneSize / 100, game.CellSize / 100, game.MaxPlayers);
            database = null; // owned by the host from here on
            HostLog.Ready(logger);
            return new HostStartResult(host, null);
        }
        catch (OperationCanceledException)
        {
            net.Dispose();
            if (database is not null)
            {
                await database.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Stops the receive thread, closes the socket and the database. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Stop accepting, tell every client, flush, then the final (fenced) saves; only then close the data tier.
        await _game.StopAsync(StopTimeout);
        _game.Dispose();
        _metrics.Dispose();
        if (_game.Failure is { } failure)
        {
            string error = failure.ToString();
            HostLog.LogicThreadFailed(_logger, error);
        }

        long datagrams = _net.Statistics.DatagramsReceived;
        long bytes = _net.Statistics.BytesReceived;
        _net.Dispose();
        await _locks.DisposeAsync(); // before the pools: a handle still held ends at its lease, its owner's saves stay fenced
        await _data.DisposeAsync();
        double uptime = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        HostLog.Stopped(_logger, uptime, datagrams, bytes);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task<HostStartResult> FailAsync(ILogger logger, string reason, NetHost? net = null, DataTier? database = null)
    {
        net?.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }

        HostLog.StartFailed(logger, reason);
        return new HostStartResult(null, reason);
    }
}
