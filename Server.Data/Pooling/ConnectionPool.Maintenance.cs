using System.Data.Common;
using System.Globalization;
using Realm.Data.Internal;
using Realm.Data.Pooling.Internal;
using Realm.Data.Providers;

namespace Realm.Data.Pooling;

/// <summary>Background upkeep: refill to the minimum, retire old idle connections, report leaks; start and shutdown.</summary>
public sealed partial class ConnectionPool
{
    private PeriodicWork? _maintenance;

    /// <summary>
    /// Runs one round of upkeep now (the background loop runs it every
    /// <see cref="ConnectionPoolOptions.MaintenanceInterval"/>): closes idle connections past their
    /// lifetime, reports leases held past the leak threshold, and opens connections up to the minimum.
    /// </summary>
    /// <returns>Connections opened.</returns>
    public async Task<int> RunMaintenanceAsync(CancellationToken cancellationToken = default)
    {
        long now = NowMs();
        foreach (PoolEntry entry in _entries)
        {
            if (Volatile.Read(ref entry.State) == PoolEntry.Idle && now >= entry.ExpiresAt
                && Interlocked.CompareExchange(ref entry.State, PoolEntry.Busy, PoolEntry.Idle) == PoolEntry.Idle)
            {
                Evict(entry, "past its lifetime");
            }
        }

        ReportLeaks(now);
        return await FillToMinimumAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops maintenance, fails waiting acquisitions, waits up to <paramref name="leaseTimeout"/> for leased
    /// connections to come back, and closes every connection. Leases still out then are closed when given back.
    /// </summary>
    public async Task DisposeAsync(TimeSpan leaseTimeout)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_maintenance is not null)
        {
            await _maintenance.DisposeAsync().ConfigureAwait(false);
        }

        FailWaiters(new ObjectDisposedException(nameof(ConnectionPool), $"pool \"{Name}\" is disposed"));

        long deadline = NowMs() + (long)leaseTimeout.TotalMilliseconds;
        while (Statistics.Leased > 0 && NowMs() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time).ConfigureAwait(false);
        }

        int leased = Statistics.Leased;
        if (leased > 0)
        {
            PoolLog.DisposedWithLeases(_logger, Name, leased, (long)leaseTimeout.TotalMilliseconds);
        }

        foreach (PoolEntry entry in _entries)
        {
            if (Interlocked.CompareExchange(ref entry.State, PoolEntry.Busy, PoolEntry.Idle) == PoolEntry.Idle)
            {
                DbConnection? connection = entry.Connection;
                DisposeCommands(entry.Commands);
                entry.Connection = null;
                entry.Commands = null;
                Volatile.Write(ref entry.State, PoolEntry.Empty);
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Disposes with a 5-second wait for leases.</summary>
    public ValueTask DisposeAsync() => new(DisposeAsync(TimeSpan.FromSeconds(5)));

    private void StartMaintenance()
    {
        if (_maintenance is null)
        {
            _maintenance = new PeriodicWork(_options.MaintenanceInterval, _time, runAtOnce: false, MaintainOnceAsync);
            _maintenance.Start();
        }
    }

    private async Task MaintainOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RunMaintenanceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e) || e is PoolUnavailableException)
        {
            // Opening failed: counted, logged and fed to the breaker already; try again next round.
        }
    }

    private async Task<int> FillToMinimumAsync(CancellationToken cancellationToken)
    {
        int opened = 0;
        while (!_disposed && Statistics.Total < _options.MinSize && TryClaimEmpty(out PoolEntry? entry))
        {
            if (!_breaker.TryBeginAttempt(NowMs()))
            {
                Volatile.Write(ref entry.State, PoolEntry.Empty);
                break;
            }

            await OpenAsync(entry, cancellationToken).ConfigureAwait(false);
            entry.LastUsed = NowMs();
            Volatile.Write(ref entry.State, PoolEntry.Idle);
            opened++;
            DrainIdleToWaiters();
        }

        return opened;
    }

    private void ReportLeaks(long now)
    {
        if (_options.LeakDetectionThreshold is not { } threshold)
        {
            return;
        }

        long thresholdMs = (long)threshold.TotalMilliseconds;
        foreach (PoolEntry entry in _entries)
        {
            if (Volatile.Read(ref entry.State) == PoolEntry.Leased && !entry.LeakReported && now - entry.LeasedAt >= thresholdMs)
            {
                entry.LeakReported = true;
                Interlocked.Increment(ref _leaks);
                string origin = entry.LeaseCaller is { Length: > 0 } caller
                    ? string.Create(CultureInfo.InvariantCulture, $"{caller} ({Path.GetFileName(entry.LeaseFile)}:{entry.LeaseLine})")
                    : "an unknown caller";
                PoolLog.LeakSuspected(_logger, Name, now - entry.LeasedAt, thresholdMs, origin);
            }
        }
    }

    /// <summary>MySQL/MariaDB closes connections idle longer than <c>wait_timeout</c>; a lifetime beyond it means dead idle connections.</summary>
    private async Task CheckWaitTimeoutAsync(CancellationToken cancellationToken)
    {
        if (_endpoint.Provider != DatabaseProvider.MySql || _options.MaxLifetime is not { } lifetime)
        {
            return;
        }

        PooledConnection lease = await AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            object? value = await lease.Connection.ScalarAsync("SELECT CAST(@@wait_timeout AS SIGNED)", cancellationToken).ConfigureAwait(false);
            long waitTimeout = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            WaitTimeoutSeconds = waitTimeout;
            if (lifetime.TotalSeconds >= waitTimeout)
            {
                PoolLog.LifetimeAboveWaitTimeout(_logger, Name, lifetime, waitTimeout);
            }
        }
    }

    /// <summary>The server's <c>wait_timeout</c> in seconds as read by <see cref="StartAsync"/> (MySQL only; 0 before).</summary>
    public long WaitTimeoutSeconds { get; private set; }
}
