using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Monitoring;
using Realm.Data.Pooling.Internal;
using Realm.Data.Providers;

namespace Realm.Data.Pooling;

/// <summary>
/// A pool of physical database connections (MySQL/MariaDB through MySql.Data with the driver's pool off,
/// or SQLite), with a lock-free fast path, first-come-first-served waiters, validation only after idle
/// time, lifetime with jitter, leak detection and a circuit breaker.
/// </summary>
/// <remarks>
/// <para>
/// Fast path: each slot's state moves Idle → Leased by compare-and-swap. A thread first tries the slot
/// it used last (its connection is likely still in cache and was returned by this thread), then scans
/// from a rotating start. When acquisitions are waiting, newcomers queue behind them instead of
/// taking a returned connection (no barging), so waiters are served in order.
/// </para>
/// <para>
/// A connection idle longer than <see cref="ConnectionPoolOptions.ValidationIdleThreshold"/> is pinged
/// before hand-out (HikariCP's rule); one that fails is closed and replaced. A lease marked broken is
/// closed on return, and every idle connection is then checked before its next use — after a database
/// restart that limits the damage to the lease that found it.
/// </para>
/// <para>Thread-safe. Acquire and release allocate nothing on the fast path.</para>
/// </remarks>
public sealed partial class ConnectionPool : IAsyncDisposable
{
    [ThreadStatic]
    private static (ConnectionPool? Pool, int Index) _lastUsed;

    private readonly DatabaseEndpoint _endpoint;
    private readonly ConnectionPoolOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly bool _systemTime;
    private readonly PoolEntry[] _entries;
    private readonly CircuitBreaker _breaker;
    private readonly long _validationMs;
    private readonly long _lifetimeMs;
    private int _nextScan;
    private int _waiterCount;
    private readonly Realm.Data.Internal.StripedCounter _acquisitions = new(); // counted on every lease: striped, so two threads do not share its line
    private readonly ConcurrentLatencyHistogram _acquireWait = new(); // slow-path acquisitions only; the fast path waits for nothing
    private long _timeouts;
    private long _creations;
    private long _creationFailures;
    private long _validations;
    private long _evictions;
    private long _leaks;
    private volatile bool _disposed;

    /// <summary>Creates a pool; nothing is opened until <see cref="StartAsync"/> or the first acquisition.</summary>
    /// <param name="name">The pool's name in messages and metrics (for example <c>shard_0</c>).</param>
    /// <param name="endpoint">Where connections go.</param>
    /// <param name="options">Sizes and policies; invalid options throw <see cref="ArgumentException"/> listing every problem.</param>
    /// <param name="logger">Breaker changes, leaks, evictions, failures (default: none).</param>
    /// <param name="time">Clock (default: <see cref="TimeProvider.System"/>); tests inject one.</param>
    public ConnectionPool(string name, DatabaseEndpoint endpoint, ConnectionPoolOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), $"pool \"{name}\": " + string.Join("; ", errors));
        }

        Name = name;
        _endpoint = endpoint;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _systemTime = _time == TimeProvider.System;
        _validationMs = (long)options.ValidationIdleThreshold.TotalMilliseconds;
        _lifetimeMs = options.MaxLifetime is { } life ? (long)life.TotalMilliseconds : long.MaxValue;
        _entries = new PoolEntry[options.MaxSize];
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i] = new PoolEntry(i);
        }

        _breaker = new CircuitBreaker(options.BreakerFailureThreshold, options.BreakerCooldown);
        _breaker.StateChanged += OnBreakerChanged;
    }

    /// <summary>The pool's name.</summary>
    public string Name { get; }

    /// <summary>The database this pool connects to.</summary>
    public DatabaseEndpoint Endpoint => _endpoint;

    /// <summary>The options the pool was created with (do not change them afterwards).</summary>
    public ConnectionPoolOptions Options => _options;

    /// <summary>The circuit breaker's state.</summary>
    public CircuitState Breaker => _breaker.State;

    /// <summary>True while an open breaker's cool-down runs (no connection may be opened).</summary>
    internal bool BreakerCoolingDown => _breaker.State == CircuitState.Open && _breaker.RetryAfter(NowMs()) > 0;

    /// <summary>The health monitor connected to the database outside the pool: the breaker closes before its cool-down ends.</summary>
    internal void OnExternalProbeSucceeded() => _breaker.OnSuccess();

    /// <summary>Raised when the breaker changes state (old, new), on the thread that caused it.</summary>
    public event Action<ConnectionPool, CircuitState, CircuitState>? BreakerChanged;

    /// <summary>State and counters now.</summary>
    public PoolStatistics Statistics
    {
        get
        {
            int total = 0, idle = 0, leased = 0;
            foreach (PoolEntry entry in _entries)
            {
                switch (Volatile.Read(ref entry.State))
                {
                    case PoolEntry.Idle:
                        idle++;
                        total++;
                        break;
                    case PoolEntry.Leased:
                        leased++;
                        total++;
                        break;
                    case PoolEntry.Busy:
                        total++;
                        break;
                }
            }

            return new PoolStatistics(total, idle, leased, Volatile.Read(ref _waiterCount), _acquisitions.Value, Interlocked.Read(ref _timeouts),
                Interlocked.Read(ref _creations), Interlocked.Read(ref _creationFailures), Interlocked.Read(ref _validations), Interlocked.Read(ref _evictions),
                Interlocked.Read(ref _leaks), _breaker.State);
        }
    }

    /// <summary>
    /// Replaces the contents of <paramref name="target"/> with the time each acquisition waited: measured
    /// on the slow path (validation, opening a connection, queueing), zero for every fast-path lease.
    /// Allocation-free; the fast path pays nothing for it (its count is derived from the acquisitions).
    /// </summary>
    public void CopyAcquireWaitTo(LatencyHistogram target)
    {
        _acquireWait.CopyTo(target);
        long fast = _acquisitions.Value - _acquireWait.Count;
        if (fast > 0)
        {
            target.AddBucket(0, fast);
        }
    }

    /// <summary>
    /// Leases a connection: an idle one (checked first if it has been idle long), a new one while the pool
    /// is below <see cref="ConnectionPoolOptions.MaxSize"/>, or the next one given back, in order of arrival.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <param name="caller">Filled by the compiler: where the lease is taken, for leak reports.</param>
    /// <param name="file">Filled by the compiler.</param>
    /// <param name="line">Filled by the compiler.</param>
    /// <exception cref="PoolTimeoutException">Nothing became free within <see cref="ConnectionPoolOptions.AcquireTimeout"/>.</exception>
    /// <exception cref="PoolUnavailableException">The circuit breaker is open and no idle connection exists.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="DbException">Opening a new connection failed.</exception>
    public ValueTask<PooledConnection> AcquireAsync(
        CancellationToken cancellationToken = default,
        [CallerMemberName] string caller = "",
        [CallerFilePath] string file = "",
        [CallerLineNumber] int line = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long now = NowMs();
        PoolEntry? entry = null;
        if (Volatile.Read(ref _waiterCount) == 0 && TryTakeIdle(now, out entry) && !NeedsCheck(entry, now))
        {
            return ValueTask.FromResult(Lease(entry, now, caller, file, line));
        }

        return AcquireSlowAsync(entry, now, caller, file, line, cancellationToken);
    }

    /// <summary>Opens connections up to <see cref="ConnectionPoolOptions.MinSize"/>, checks MySQL's <c>wait_timeout</c> against the lifetime, and starts maintenance.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await CheckWaitTimeoutAsync(cancellationToken).ConfigureAwait(false);
        await FillToMinimumAsync(cancellationToken).ConfigureAwait(false);
        StartMaintenance();
    }

    internal void Release(PoolEntry entry, int generation)
    {
        // The generation check makes a second Dispose of the same (or a copied) lease a no-op.
        if (Interlocked.CompareExchange(ref entry.Generation, generation + 1, generation) != generation)
        {
            return;
        }

        long now = NowMs();
        DbConnection? connection = entry.Connection;
        string? reason = entry.BrokenGeneration == generation ? "marked broken"
            : connection is null || connection.State != System.Data.ConnectionState.Open ? "returned closed"
            : now >= entry.ExpiresAt ? "past its lifetime"
            : _disposed ? "pool disposed"
            : null;
        if (reason is not null)
        {
            if (entry.BrokenGeneration == generation)
            {
                SuspectIdleConnections();
            }

            Evict(entry, reason);
            OnCapacityFreed();
            return;
        }

        entry.LastUsed = now;
        Volatile.Write(ref entry.State, PoolEntry.Idle); // publishes LastUsed with it
        if (Volatile.Read(ref _waiterCount) > 0)
        {
            // A waiter may have queued after our check of its count and before the write: it drains
            // idle connections itself after queueing, so one of the two of us hands this one over.
            DrainIdleToWaiters();
        }
    }

    private static long ElapsedSince(long start, long now) => now - start;

    /// <summary>
    /// Pool clock in milliseconds. With the system clock this is <see cref="Environment.TickCount64"/> (a
    /// coarse monotonic clock, a few ns per read — the fast path reads it twice per lease, where a
    /// Stopwatch read would cost ~20 ns each); an injected provider is used as given.
    /// </summary>
    private long NowMs() => _systemTime ? Environment.TickCount64 : _time.GetTimestamp() * 1000 / _time.TimestampFrequency;

    private bool NeedsCheck(PoolEntry entry, long now) => ElapsedSince(entry.LastUsed, now) >= _validationMs || now >= entry.ExpiresAt;

    /// <summary>Claims an idle slot: the one this thread used last, else the first from a rotating start.</summary>
    private bool TryTakeIdle(long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PoolEntry? entry)
    {
        (ConnectionPool? pool, int last) = _lastUsed;
        if (pool == this)
        {
            entry = _entries[last];
            if (Interlocked.CompareExchange(ref entry.State, PoolEntry.Leased, PoolEntry.Idle) == PoolEntry.Idle)
            {
                return true;
            }
        }

        int start = (int)((uint)Interlocked.Increment(ref _nextScan) % (uint)_entries.Length);
        for (int i = 0; i < _entries.Length; i++)
        {
            int index = start + i;
            entry = _entries[index >= _entries.Length ? index - _entries.Length : index];
            if (Volatile.Read(ref entry.State) == PoolEntry.Idle
                && Interlocked.CompareExchange(ref entry.State, PoolEntry.Leased, PoolEntry.Idle) == PoolEntry.Idle)
            {
                return true;
            }
        }

        entry = null;
        return false;
    }

    private PooledConnection Lease(PoolEntry entry, long now, string caller, string file, int line)
    {
        entry.LeasedAt = now;
        entry.LeakReported = false;
        entry.LeaseCaller = caller; // compile-time constants: kept by reference, formatted only for a report
        entry.LeaseFile = file;
        entry.LeaseLine = line;
        _lastUsed = (this, entry.Index);
        _acquisitions.Increment();
        return new PooledConnection(this, entry, Volatile.Read(ref entry.Generation));
    }

    private void OnBreakerChanged(CircuitState old, CircuitState @new)
    {
        PoolLog.BreakerChanged(_logger, Name, old, @new, _breaker.ConsecutiveFailures);
        BreakerChanged?.Invoke(this, old, @new);
        if (@new == CircuitState.Open)
        {
            FailWaiters(Unavailable(NowMs()));
        }
    }
}
