using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Realm.Data.Ownership;
using Realm.Server.Hosting.Options;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;
using Realm.Server.Simulation.Sessions;
using Realm.Server.Simulation.World;

namespace Realm.Server.Simulation;

/// <summary>
/// The game host: one logic thread (<see cref="TickLoop"/>) owns every session, zone and entity. Each tick
/// it drains the inbox (data-tier results), polls the transport (connects, messages, disconnects), steps
/// the world (validated movement, cell changes with enter/leave events), sends every observer the
/// snapshots of the cells around it (each cell serialized once), and flushes one merged datagram per client.
/// </summary>
internal sealed partial class GameServer : ITickHandler, IDisposable
{
    private const byte ReliableChannel = 0;
    private const byte SnapshotChannel = 1;
    private const byte EchoChannel = 2;

    private readonly GameOptions _options;
    private readonly NetHost _host;
    private readonly PlayerOwnership _ownership;
    private readonly IAuthenticator _authenticator;
    private readonly ILogger _logger;
    private readonly Dictionary<int, Session> _byPeer = [];
    private readonly Dictionary<long, Session> _byPlayer = [];
    private readonly Zone[] _zones;
    private readonly LogicInbox<InboxItem> _inbox = new(4096);
    private readonly TickLoop _loop;
    private readonly List<Task> _saves = [];
    private readonly long _allocatedAtStart = GC.GetTotalAllocatedBytes();
    private readonly int _gen0AtStart = GC.CollectionCount(0);
    private Listener _listener;
    private PlayerIdentity? _pendingIdentity;
    private uint _nextEntityId;
    private long _tick;
    private bool _accepting = true;
    private long _allocatedBaseline;
    private int _gen0Baseline;
    private long _lastSummary = Stopwatch.GetTimestamp();
    private long _messagesInAtSummary;
    private long _messagesOutAtSummary;

    public GameServer(GameOptions options, NetHost host, PlayerOwnership ownership, IAuthenticator authenticator, ILogger logger)
    {
        _options = options;
        _host = host;
        _ownership = ownership;
        _authenticator = authenticator;
        _logger = logger;
        _zones = new Zone[options.Zones];
        for (int i = 0; i < _zones.Length; i++)
        {
            _zones[i] = new Zone(i, options.ZoneSize, options.CellSize);
        }

        _listener = new Listener(this);
        _loop = new TickLoop(this, options.TickRate, options.MaxCatchUpTicks);
        _allocatedBaseline = _allocatedAtStart;
        _gen0Baseline = _gen0AtStart;
    }

    public TickMetrics Metrics => _loop.Metrics;

    /// <summary>The first exception a tick threw, which stopped the logic thread.</summary>
    public Exception? Failure => _loop.Failure;

    /// <summary>Sessions playing or logging in (read from other threads: approximate).</summary>
    public int Online => Volatile.Read(ref _online);

    /// <summary>Bytes of cell snapshots serialized (once per cell and tick) since start.</summary>
    public long SnapshotBytesSerialized { get; private set; }

    /// <summary>Bytes of cell snapshots sent: what serializing per observer would have cost.</summary>
    public long SnapshotBytesSent { get; private set; }

    private int _online;

    public void Start() => _loop.Start();

    /// <summary>
    /// Graceful stop: no more logins, every client told "server shutting down", queues flushed, the logic
    /// thread stopped, and every final save awaited (each reported if it failed).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_loop.IsRunning && _inbox.TryPost(new InboxItem(InboxKind.Shutdown, 0, done)))
        {
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }

        _loop.Stop(timeout);
        Task[] saves;
        lock (_saves)
        {
            saves = [.. _saves];
        }

        try
        {
            await Task.WhenAll(saves).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // reported per player by the saves that do finish; the rest end with their lease
        }
    }

    public void Dispose() => _loop.Dispose();

    public void Tick(long tick)
    {
        _tick = tick;
        NetHostStatistics stats = _host.Statistics;
        long messagesIn = stats.MessagesReceived;
        long messagesOut = stats.MessagesSent;
        long bytesOut = stats.BytesSent;
        Metrics.InboundQueueLength = _host.InboundQueueLength + _inbox.Count;

        DrainInbox();
        _host.Poll(ref _listener, TimeSpan.Zero);
        Step(tick);
        Broadcast(tick);
        _host.Flush();

        Metrics.MessagesIn = stats.MessagesReceived - messagesIn;
        Metrics.MessagesOut = stats.MessagesSent - messagesOut;
        Metrics.BytesOut = stats.BytesSent - bytesOut;
        Volatile.Write(ref _online, _byPeer.Count);
        MaybeSummarize();
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="session"/>, reliable ordered.</summary>
    [SkipLocalsInit] // the 1,200-byte stack buffer is written before it is read; zeroing it per message is waste
    private static void SendReliable<T>(Session session, scoped in T message)
        where T : IMessage<T>, allows ref struct
    {
        Span<byte> buffer = stackalloc byte[1200];
        var writer = new PacketWriter(buffer, buffer.Length);
        Message.Write(ref writer, message);
        session.Peer.Send(writer.Written, DeliveryMethod.ReliableOrdered, ReliableChannel);
    }

    private void DrainInbox()
    {
        while (_inbox.TryTake(out InboxItem item))
        {
            switch (item.Kind)
            {
                case InboxKind.ClaimDone:
                    OnClaimDone(item.PeerId, (ClaimResult)item.Payload!);
                    break;
                case InboxKind.OwnershipEnded:
                    if (_byPeer.TryGetValue(item.PeerId, out Session? session))
                    {
                        Kick(session, (string)item.Payload!);
                    }

                    break;
                case InboxKind.Shutdown:
                    BeginShutdown();
                    ((TaskCompletionSource)item.Payload!).TrySetResult();
                    break;
            }
        }
    }

    /// <summary>Posts from another thread, retrying while the inbox is full (nothing is dropped).</summary>
    private async Task PostAsync(InboxItem item)
    {
        long start = Stopwatch.GetTimestamp();
        bool reported = false;
        while (!_inbox.TryPost(item))
        {
            if (!reported && Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(1))
            {
                GameLog.InboxFull(_logger, 1000, item.Kind);
                reported = true;
            }

            if (!_loop.IsRunning)
            {
                return; // stopped: nobody will drain it
            }

            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    private void BeginShutdown()
    {
        _accepting = false;
        foreach (Session session in _byPeer.Values.ToArray())
        {
            Kick(session, "server shutting down");
        }
    }

    private void MaybeSummarize()
    {
        if (_options.SummaryIntervalSeconds == 0 || Stopwatch.GetElapsedTime(_lastSummary).TotalSeconds < _options.SummaryIntervalSeconds)
        {
            return;
        }

        _lastSummary = Stopwatch.GetTimestamp();
        NetHostStatistics stats = _host.Statistics;
        TickMetrics m = Metrics;
        double p50 = m.Duration.PercentileMilliseconds(50);
        double p99 = m.Duration.PercentileMilliseconds(99);
        double lateP99 = m.Lateness.PercentileMilliseconds(99);
        long messagesIn = stats.MessagesReceived - _messagesInAtSummary;
        long messagesOut = stats.MessagesSent - _messagesOutAtSummary;
        GameLog.Summary(_logger, _byPeer.Count, m.Ticks, p50, p99, m.Duration.MaxMilliseconds, lateP99, m.Lateness.MaxMilliseconds, m.Overruns, m.InboundQueueLength, messagesIn, messagesOut);
        _messagesInAtSummary = stats.MessagesReceived;
        _messagesOutAtSummary = stats.MessagesSent;
    }

    /// <summary>Forwards the transport's events to the server; a struct so every call is direct.</summary>
    private readonly struct Listener(GameServer server) : INetEventListener
    {
        public ConnectDecision OnConnectRequest(in ConnectRequest request) => server.OnConnectRequest(request);

        public void OnConnected(NetPeer peer) => server.OnConnected(peer);

        public void OnMessage(NetPeer peer, ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel) => server.OnMessage(peer, payload);

        public void OnDisconnected(NetPeer peer, DisconnectReason reason, ReadOnlySpan<byte> data) => server.OnDisconnected(peer, reason);
    }
}
