using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Internal;
using Realm.Data.Monitoring;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Data.Routing;

/// <summary>
/// One shard's primary and its read replicas: writes go to the primary; reads go round-robin to the
/// replicas in service, and to the primary when none is.
/// </summary>
/// <remarks>
/// <para>
/// <b>In service</b> means: the <see cref="HealthMonitor"/> (when given) does not report the replica Down,
/// and at the last lag check (every <see cref="ReplicaSetOptions.LagCheckInterval"/>, or
/// <see cref="CheckLagAsync"/>) it answered and was at most <see cref="ReplicaSetOptions.MaxLagTransactions"/>
/// transactions behind: the primary's <c>@@gtid_binlog_pos</c> against the replica's <c>@@gtid_slave_pos</c>.
/// A replica that goes Down leaves at once; one that comes back returns at the next lag check that finds it
/// caught up. A replica whose pool cannot lease a connection is skipped for that read (the primary serves it).
/// </para>
/// <para>
/// <b>Read-your-writes</b>: after a write, <see cref="WrittenAsync"/> reads the transaction's GTID
/// (<c>@@last_gtid</c>) on the same connection. A read that passes that position is served by a replica
/// only once the replica has applied it: when its last known position does not already cover it, the read
/// first runs <c>MASTER_GTID_WAIT(position, ReadYourWritesWait)</c> there, and on a timeout goes to the
/// primary. So a caller never reads older data than it wrote (MariaDB Knowledge Base, "MASTER_GTID_WAIT").
/// </para>
/// <para>SQLite has no replication: a set on SQLite has no replicas and every read goes to the primary.</para>
/// <para>Thread-safe. The pools are not owned: dispose them separately.</para>
/// </remarks>
public sealed class ReplicaSet : IAsyncDisposable
{
    private readonly ConnectionPool[] _replicas;
    private readonly Replica[] _states;
    private readonly ReplicaSetOptions _options;
    private readonly HealthMonitor? _health;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly string _waitTimeout;
    private int[] _inService = [];
    private int _next;
    private long _replicaReads;
    private long _primaryReads;
    private long _waits;
    private long _waitsSkipped;
    private long _fallbacks;
    private long _takenOut;
    private long _putBack;
    private readonly PeriodicWork _loop;
    private int _disposed;

    /// <summary>A set of <paramref name="primary"/> and <paramref name="replicas"/> (none: every read goes to the primary).</summary>
    /// <param name="primary">Where writes (and reads without a replica) go.</param>
    /// <param name="replicas">Replicas of <paramref name="primary"/>; MySQL/MariaDB only.</param>
    /// <param name="options">Lag bound and waits (default: <see cref="ReplicaSetOptions"/>' defaults).</param>
    /// <param name="health">Health of the replicas' pools; a replica it reports Down takes no reads.</param>
    /// <param name="logger">Replicas leaving and returning to service.</param>
    /// <param name="time">The clock of the lag checks.</param>
    /// <exception cref="ArgumentException">Invalid options, a replica that is not MySQL/MariaDB or not the primary's provider, or the primary listed as a replica.</exception>
    public ReplicaSet(ConnectionPool primary, IEnumerable<ConnectionPool>? replicas = null, ReplicaSetOptions? options = null, HealthMonitor? health = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(primary);
        _options = options ?? new ReplicaSetOptions();
        IReadOnlyList<string> errors = _options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), $"replica set \"{primary.Name}\": " + string.Join("; ", errors));
        }

        Primary = primary;
        _replicas = replicas is null ? [] : [.. replicas];
        foreach (ConnectionPool replica in _replicas)
        {
            if (replica.Endpoint.Provider != DatabaseProvider.MySql || primary.Endpoint.Provider != DatabaseProvider.MySql)
            {
                ThrowHelper.ThrowArgument(nameof(replicas), $"replica set \"{primary.Name}\": replica \"{replica.Name}\" needs MySQL/MariaDB on both sides (GTID replication); SQLite has no replicas");
            }

            if (ReferenceEquals(replica, primary) || string.Equals(replica.Name, primary.Name, StringComparison.Ordinal))
            {
                ThrowHelper.ThrowArgument(nameof(replicas), $"replica set \"{primary.Name}\": the primary is listed as its own replica");
            }
        }

        _states = [.. _replicas.Select(_ => new Replica())];
        _health = health;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _loop = new PeriodicWork(_options.LagCheckInterval, _time, runAtOnce: true, CheckLagAsync);
        _waitTimeout = _options.ReadYourWritesWait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        if (_health is not null)
        {
            _health.HealthChanged += OnHealthChanged;
        }
    }

    /// <summary>Where writes go.</summary>
    public ConnectionPool Primary { get; }

    /// <summary>The replicas, in the order given.</summary>
    public IReadOnlyList<ConnectionPool> Replicas => _replicas;

    /// <summary>The options in force.</summary>
    public ReplicaSetOptions Options => _options;

    /// <summary>Each replica's state as last concluded.</summary>
    public IReadOnlyList<ReplicaStatus> Status
    {
        get
        {
            var status = new ReplicaStatus[_replicas.Length];
            for (int i = 0; i < status.Length; i++)
            {
                Replica state = _states[i];
                string? reason = ReasonOutOf(i);
                status[i] = new ReplicaStatus(_replicas[i].Name, reason is null, state.Lag, reason);
            }

            return status;
        }
    }

    /// <summary>Counters since creation.</summary>
    public ReplicaSetStatistics Statistics => new(
        Interlocked.Read(ref _replicaReads), Interlocked.Read(ref _primaryReads), Interlocked.Read(ref _waits),
        Interlocked.Read(ref _waitsSkipped), Interlocked.Read(ref _fallbacks), Interlocked.Read(ref _takenOut), Interlocked.Read(ref _putBack));

    /// <summary>Starts the lag checks every <see cref="ReplicaSetOptions.LagCheckInterval"/>, the first at once. Without replicas it does nothing.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_replicas.Length > 0)
        {
            _loop.Start();
        }
    }

    /// <summary>
    /// Compares every replica's applied position with the primary's now and puts each in or out of service.
    /// A replica that cannot be asked is out; when the primary cannot be asked the replicas keep their state.
    /// </summary>
    public async Task CheckLagAsync(CancellationToken cancellationToken = default)
    {
        if (_replicas.Length == 0)
        {
            return;
        }

        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            GtidPosition primary;
            try
            {
                primary = await ReadPositionAsync(Primary, PrimaryPositionSql, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolUnavailableException or PoolTimeoutException)
            {
                RoutingLog.PrimaryPositionFailed(_logger, Primary.Name, e.Message);
                return;
            }

            var checks = new Task[_replicas.Length];
            for (int i = 0; i < checks.Length; i++)
            {
                checks[i] = CheckReplicaAsync(i, primary, cancellationToken);
            }

            await Task.WhenAll(checks).ConfigureAwait(false);
            Rebuild();
        }
        finally
        {
            _checking.Release();
        }
    }

    /// <summary>
    /// Leases a connection for a read that must see every write up to <paramref name="after"/>
    /// (<see cref="GtidPosition.Empty"/> or null: any replica in service will do).
    /// </summary>
    /// <exception cref="PoolUnavailableException">Or the pool's other exceptions, when even the primary cannot lease a connection.</exception>
    public async ValueTask<ReplicaLease> AcquireReadAsync(GtidPosition? after = null, CancellationToken cancellationToken = default)
    {
        int[] inService = Volatile.Read(ref _inService);
        for (int attempt = 0; attempt < inService.Length; attempt++)
        {
            int index = inService[(int)((uint)Interlocked.Increment(ref _next) % (uint)inService.Length)];
            if (await TryReplicaAsync(index, after, cancellationToken).ConfigureAwait(false) is { } lease)
            {
                Interlocked.Increment(ref _replicaReads);
                return new ReplicaLease(lease, fromReplica: true);
            }

            if (after is { IsEmpty: false })
            {
                break; // it timed out applying the caller's writes; the others are no likelier to be quicker
            }
        }

        Interlocked.Increment(ref _primaryReads);
        return new ReplicaLease(await Primary.AcquireAsync(cancellationToken).ConfigureAwait(false), fromReplica: false);
    }

    /// <summary>
    /// The position of the transaction just committed on <paramref name="primaryConnection"/> (a primary
    /// connection), to pass to later reads; <see cref="GtidPosition.Empty"/>, without asking the server, when
    /// the set has no replicas (every read goes to the primary, which has every write).
    /// </summary>
    public ValueTask<GtidPosition> WrittenAsync(PooledConnection primaryConnection, CancellationToken cancellationToken = default) =>
        _replicas.Length == 0 ? ValueTask.FromResult(GtidPosition.Empty) : PositionOnAsync(primaryConnection, LastWriteSql, cancellationToken);

    /// <summary>
    /// Everything the primary has committed so far (<c>@@gtid_binlog_pos</c>), read on
    /// <paramref name="primaryConnection"/>: it covers a write whose own position was lost with its
    /// connection. <see cref="GtidPosition.Empty"/> when the set has no replicas.
    /// </summary>
    public ValueTask<GtidPosition> CommittedAsync(PooledConnection primaryConnection, CancellationToken cancellationToken = default) =>
        _replicas.Length == 0 ? ValueTask.FromResult(GtidPosition.Empty) : PositionOnAsync(primaryConnection, PrimaryPositionSql, cancellationToken);

    /// <summary>Stops the lag checks and the health subscription; the pools stay open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_health is not null)
        {
            _health.HealthChanged -= OnHealthChanged;
        }

        await _loop.DisposeAsync().ConfigureAwait(false);
        _checking.Dispose();
    }

    private async ValueTask<PooledConnection?> TryReplicaAsync(int index, GtidPosition? after, CancellationToken cancellationToken)
    {
        ConnectionPool pool = _replicas[index];
        Replica state = _states[index];
        PooledConnection lease;
        try
        {
            lease = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PoolUnavailableException or PoolTimeoutException || DbCommands.IsConnectionFailure(e))
        {
            Interlocked.Increment(ref _fallbacks);
            return null;
        }

        if (after is null || after.IsEmpty || state.Known.Covers(after))
        {
            if (after is { IsEmpty: false })
            {
                Interlocked.Increment(ref _waitsSkipped);
            }

            return lease;
        }

        Interlocked.Increment(ref _waits);
        try
        {
            object? result = await lease.Connection.ScalarAsync($"SELECT MASTER_GTID_WAIT('{after}', {_waitTimeout})", cancellationToken).ConfigureAwait(false);
            if (Convert.ToInt64(result, CultureInfo.InvariantCulture) == 0)
            {
                state.Learn(after);
                return lease;
            }
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            lease.MarkBroken();
        }

        await lease.DisposeAsync().ConfigureAwait(false);
        Interlocked.Increment(ref _fallbacks);
        return null;
    }

    private async Task CheckReplicaAsync(int index, GtidPosition primary, CancellationToken cancellationToken)
    {
        Replica state = _states[index];
        try
        {
            GtidPosition applied = await ReadPositionAsync(_replicas[index], AppliedSql, cancellationToken).ConfigureAwait(false);
            state.Reset(applied); // authoritative, even if it went back (a rebuilt replica)
            ulong behind = applied.Behind(primary);
            state.Lag = (long)Math.Min(behind, long.MaxValue);
            state.Reason = behind > (ulong)_options.MaxLagTransactions
                ? string.Create(CultureInfo.InvariantCulture, $"{behind} transactions behind the primary (at most {_options.MaxLagTransactions})")
                : null;
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolUnavailableException or PoolTimeoutException)
        {
            state.Lag = -1;
            state.Reason = "lag check failed: " + e.Message;
        }
    }

    // The GTID variables are utf8mb3 strings, whose column metadata MySql.Data 8.0.16 cannot decode on
    // MariaDB 10.6+; every query here converts them to utf8mb4 first.
    private const string PrimaryPositionSql = "SELECT CONVERT(@@gtid_binlog_pos USING utf8mb4)";
    private const string LastWriteSql = "SELECT CONVERT(@@last_gtid USING utf8mb4)";
    private const string AppliedSql = "SELECT CONVERT(@@gtid_slave_pos USING utf8mb4)";

    private static async Task<GtidPosition> ReadPositionAsync(ConnectionPool pool, string sql, CancellationToken cancellationToken)
    {
        PooledConnection lease = await pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            return await PositionOnAsync(lease, sql, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<GtidPosition> PositionOnAsync(PooledConnection lease, string sql, CancellationToken cancellationToken) =>
        GtidPosition.Parse(await lease.Connection.ScalarAsync(sql, cancellationToken).ConfigureAwait(false) as string);

    private void OnHealthChanged(HealthChange change)
    {
        if (Array.Exists(_replicas, r => string.Equals(r.Name, change.Pool, StringComparison.Ordinal)))
        {
            Rebuild();
        }
    }

    /// <summary>Why replica <paramref name="index"/> takes no reads; null when it is in service.</summary>
    private string? ReasonOutOf(int index) => IsDown(index) ? "health monitor reports it Down" : _states[index].Reason;

    private bool IsDown(int index) =>
        _health is not null && _health.TryGetHealth(_replicas[index].Name, out PoolHealth health) && health.State == HealthState.Down;

    /// <summary>Recomputes the rotation from the health and the last lag check, logging every change.</summary>
    private void Rebuild()
    {
        lock (_states)
        {
            var inService = new List<int>(_replicas.Length);
            for (int i = 0; i < _replicas.Length; i++)
            {
                Replica state = _states[i];
                string? reason = ReasonOutOf(i);
                bool serving = reason is null;
                if (serving)
                {
                    inService.Add(i);
                }

                if (serving != state.Serving)
                {
                    state.Serving = serving;
                    if (serving)
                    {
                        Interlocked.Increment(ref _putBack);
                        RoutingLog.ReplicaIn(_logger, _replicas[i].Name, state.Lag);
                    }
                    else
                    {
                        Interlocked.Increment(ref _takenOut);
                        RoutingLog.ReplicaOut(_logger, _replicas[i].Name, reason!);
                    }
                }
            }

            Volatile.Write(ref _inService, [.. inService]);
        }
    }

    /// <summary>What is known of one replica; <see cref="Known"/> only moves forward.</summary>
    private sealed class Replica
    {
        private GtidPosition _known = GtidPosition.Empty;

        public GtidPosition Known => Volatile.Read(ref _known);

        public long Lag { get; set; } = -1;

        public string? Reason { get; set; } = "not checked yet";

        public bool Serving { get; set; }

        public void Reset(GtidPosition applied) => Volatile.Write(ref _known, applied);

        public void Learn(GtidPosition applied) => GtidPosition.MergeInto(ref _known, applied);
    }
}
