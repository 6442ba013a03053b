using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Internal;
using Realm.Data.Monitoring.Internal;
using Realm.Data.Pooling;
using Realm.Data.Providers;

namespace Realm.Data.Monitoring;

/// <summary>
/// Pings every pool's database on a background timer and classifies each as
/// <see cref="HealthState.Healthy"/>, <see cref="HealthState.Degraded"/> or <see cref="HealthState.Down"/>;
/// components that route around sick databases (the replica router) subscribe to <see cref="HealthChanged"/>.
/// </summary>
/// <remarks>
/// <para>
/// A ping leases a connection from the pool (validating it when idle) and runs <c>SELECT 1</c>, both
/// within <see cref="HealthMonitorOptions.PingTimeout"/>. A pool whose connections are all leased is
/// busy, not sick: a ping that finds no free connection makes it Degraded but is not a failure. An open
/// circuit breaker makes it Down at once — unless the monitor's own probe connection (one per interval,
/// outside the pool) finds the database back, which closes the breaker early.
/// </para>
/// <para>
/// On the way down the monitor marks the pool's idle connections for checking before their next use;
/// on recovery it refills the pool to its minimum at once instead of waiting for the pool's own
/// maintenance — so a restarted database has a full pool again within one health interval.
/// </para>
/// <para>Thread-safe. Events are raised on the monitor's background thread (or the caller of <see cref="CheckNowAsync"/>).</para>
/// </remarks>
public sealed class HealthMonitor : IAsyncDisposable
{
    private readonly HealthTracker[] _trackers;
    private readonly HealthMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checking = new(1, 1);
    private readonly PeriodicWork _loop;
    private int _disposed;

    /// <summary>Creates a monitor for <paramref name="pools"/>; nothing runs until <see cref="Start"/> or <see cref="CheckNowAsync"/>.</summary>
    /// <exception cref="ArgumentException">Invalid options (every problem listed), or two pools share a name.</exception>
    public HealthMonitor(IEnumerable<ConnectionPool> pools, HealthMonitorOptions options, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), "health monitor: " + string.Join("; ", errors));
        }

        _trackers = [.. pools.Select(p => new HealthTracker(p))];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (HealthTracker tracker in _trackers)
        {
            if (!names.Add(tracker.Pool.Name))
            {
                ThrowHelper.ThrowArgument(nameof(pools), $"two pools are named \"{tracker.Pool.Name}\"");
            }
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _loop = new PeriodicWork(options.Interval, _time, runAtOnce: true, CheckNowAsync);
    }

    /// <summary>Raised when a pool's state changes (never for a check that leaves it where it was).</summary>
    public event Action<HealthChange>? HealthChanged;

    /// <summary>The options the monitor was created with.</summary>
    public HealthMonitorOptions Options => _options;

    /// <summary>The monitored pools' names, in the order given.</summary>
    public IEnumerable<string> PoolNames => _trackers.Select(t => t.Pool.Name);

    /// <summary>The health of pool <paramref name="pool"/> as last checked.</summary>
    /// <exception cref="KeyNotFoundException">No monitored pool has that name (the message lists the names).</exception>
    public PoolHealth GetHealth(string pool) => TryGetHealth(pool, out PoolHealth health)
        ? health
        : throw new KeyNotFoundException($"no monitored pool is named \"{pool}\"; monitored: {string.Join(", ", PoolNames)}");

    /// <summary>The health of pool <paramref name="pool"/>, or false when it is not monitored.</summary>
    public bool TryGetHealth(string pool, out PoolHealth health)
    {
        foreach (HealthTracker tracker in _trackers)
        {
            if (string.Equals(tracker.Pool.Name, pool, StringComparison.Ordinal))
            {
                health = tracker.Health;
                return true;
            }
        }

        health = default;
        return false;
    }

    /// <summary>Starts the background checks every <see cref="HealthMonitorOptions.Interval"/>, the first one at once.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _loop.Start();
    }

    /// <summary>Pings every pool now, in parallel, and updates their states (raising <see cref="HealthChanged"/>).</summary>
    public async Task CheckNowAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _checking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var checks = new Task[_trackers.Length];
            for (int i = 0; i < _trackers.Length; i++)
            {
                checks[i] = CheckAsync(_trackers[i], cancellationToken);
            }

            await Task.WhenAll(checks).ConfigureAwait(false);
        }
        finally
        {
            _checking.Release();
        }
    }

    /// <summary>Stops the background checks (waits for a running one). The pools are not disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _loop.DisposeAsync().ConfigureAwait(false);
        _checking.Dispose();
    }

    private async Task CheckAsync(HealthTracker tracker, CancellationToken cancellationToken)
    {
        ConnectionPool pool = tracker.Pool;
        (HealthState state, bool failed, TimeSpan latency, string reason) = await PingAsync(pool, cancellationToken).ConfigureAwait(false);
        if (failed && tracker.Health.ConsecutiveFailures + 1 >= _options.DownAfterFailures)
        {
            state = HealthState.Down; // one failure is a warning; DownAfterFailures in a row is an outage
        }

        if (state == HealthState.Healthy && tracker.Health.State is HealthState.Down or HealthState.Degraded)
        {
            // Refilled before it is reported: whoever sees Healthy finds the pool at its minimum again.
            await RefillAsync(pool, cancellationToken).ConfigureAwait(false);
        }

        HealthState old = tracker.Update(state, failed, latency, failed ? reason : null);
        if (old == state)
        {
            return;
        }

        if (state == HealthState.Down)
        {
            pool.SuspectIdleConnections();
        }

        if (state > old || old == HealthState.Unknown && state != HealthState.Healthy)
        {
            MonitorLog.Worse(_logger, pool.Name, old, state, reason);
        }
        else
        {
            MonitorLog.Better(_logger, pool.Name, old, state, reason);
        }

        try
        {
            HealthChanged?.Invoke(new HealthChange(pool.Name, old, state, reason));
        }
        catch (Exception e)
        {
            MonitorLog.SubscriberFailed(_logger, pool.Name, e);
        }
    }

    /// <summary>
    /// One ping: the state it shows, whether it failed (a failure shows Degraded and counts towards Down),
    /// its latency, and why. An open breaker shows Down at once.
    /// </summary>
    private async Task<(HealthState State, bool Failed, TimeSpan Latency, string Reason)> PingAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PingTimeout);
        if (pool.BreakerCoolingDown && !await ProbeAsync(pool, timeout.Token).ConfigureAwait(false))
        {
            return (HealthState.Down, true, TimeSpan.Zero, "circuit breaker open; the database still does not answer");
        }
        bool leased = false;
        try
        {
            PooledConnection lease = await pool.AcquireAsync(timeout.Token).ConfigureAwait(false);
            leased = true;
            await using (lease.ConfigureAwait(false))
            {
                try
                {
                    // A connection the pool validated on the way out has just answered this same ping.
                    if (!lease.ValidatedOnAcquire)
                    {
                        int seconds = Math.Max(1, (int)Math.Ceiling(_options.PingTimeout.TotalSeconds));
                        await lease.Connection.ScalarAsync("SELECT 1", timeout.Token, seconds).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    lease.MarkBroken(); // a connection whose ping failed or hung is not given to anyone else
                    throw;
                }
            }

            TimeSpan latency = _time.GetElapsedTime(start);
            string ms = latency.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);
            return latency > _options.DegradedLatency
                ? (HealthState.Degraded, false, latency, $"ping took {ms} ms")
                : pool.Breaker == CircuitState.HalfOpen
                ? (HealthState.Degraded, false, latency, "circuit breaker half-open")
                : (HealthState.Healthy, false, latency, $"ping {ms} ms");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (!leased)
            {
                PoolStatistics s = pool.Statistics;
                if (s.Total >= pool.Options.MaxSize && s.Idle == 0)
                {
                    return (HealthState.Degraded, false, _time.GetElapsedTime(start), $"saturated: all {s.Total} connections leased, {s.Waiters} waiting");
                }
            }

            return (HealthState.Degraded, true, TimeSpan.Zero, $"no answer within {_options.PingTimeout.TotalMilliseconds:F0} ms");
        }
        catch (PoolUnavailableException e)
        {
            return (HealthState.Down, true, TimeSpan.Zero, e.Message);
        }
        catch (PoolTimeoutException e)
        {
            return (HealthState.Degraded, false, _time.GetElapsedTime(start), e.Message);
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            return (HealthState.Degraded, true, TimeSpan.Zero, e.Message);
        }
    }

    /// <summary>
    /// While the pool's breaker cools down, one connection of the monitor's own (outside the pool) checks
    /// whether the database is back; if it is, the breaker closes now instead of failing borrowers until
    /// the cool-down ends. One attempt per health interval, so a dead database sees no stampede.
    /// </summary>
    private static async Task<bool> ProbeAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        try
        {
            DbConnection connection = await pool.Endpoint.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await connection.ScalarAsync("SELECT 1", cancellationToken).ConfigureAwait(false);
            }

            pool.OnExternalProbeSucceeded();
            return true;
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is OperationCanceledException)
        {
            return false;
        }
    }

    private async Task RefillAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        try
        {
            await pool.RunMaintenanceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolUnavailableException)
        {
            MonitorLog.RefillFailed(_logger, pool.Name, e.Message);
        }
    }
}
