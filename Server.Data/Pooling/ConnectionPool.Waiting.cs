using System.Data.Common;
using Realm.Data.Pooling.Internal;
using Realm.Data.Providers;

namespace Realm.Data.Pooling;

/// <summary>The slow path: validation, opening connections, and the queue of waiting acquisitions.</summary>
public sealed partial class ConnectionPool
{
    private readonly Lock _waitLock = new();
    private readonly LinkedList<TaskCompletionSource<PoolEntry>> _waiters = new();

    private async ValueTask<PooledConnection> AcquireSlowAsync(PoolEntry? claimed, long start, string caller, string file, int line, CancellationToken cancellationToken)
    {
        long deadline = start + (long)_options.AcquireTimeout.TotalMilliseconds;
        long waitStart = _time.GetTimestamp();
        PoolEntry? entry = claimed;
        while (true)
        {
            // A claimed or handed-over connection is this caller's until leased or evicted: no
            // cancellation may end the acquisition in between, or the slot would stay Leased for good.
            if (entry is not null && await CheckAsync(entry).ConfigureAwait(false))
            {
                return LeaseAfterWait(entry, waitStart, caller, file, line);
            }

            entry = null;
            cancellationToken.ThrowIfCancellationRequested();
            long now = NowMs();
            if (Volatile.Read(ref _waiterCount) == 0 && TryTakeIdle(now, out entry))
            {
                continue;
            }

            if (Volatile.Read(ref _waiterCount) == 0 && TryClaimEmpty(out PoolEntry? empty))
            {
                if (!_breaker.TryBeginAttempt(now))
                {
                    Volatile.Write(ref empty.State, PoolEntry.Empty);
                    throw Unavailable(now);
                }

                await OpenAsync(empty, cancellationToken).ConfigureAwait(false); // throws the driver's error
                return LeaseAfterWait(empty, waitStart, caller, file, line);
            }

            if (_breaker.State == CircuitState.Open && !AnyInState(PoolEntry.Idle))
            {
                throw Unavailable(now);
            }

            entry = await WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Leases after the slow path and records how long the caller waited (validation, opening or queueing).</summary>
    private PooledConnection LeaseAfterWait(PoolEntry entry, long waitStart, string caller, string file, int line)
    {
        _acquireWait.Record(_time.GetElapsedTime(waitStart).Ticks * 100);
        return Lease(entry, NowMs(), caller, file, line);
    }

    /// <summary>Validates a claimed idle connection when it has been idle long or is past its lifetime; false when it was evicted.</summary>
    /// <remarks>Not cancellable (the ping is bounded by its 5-second command timeout): the caller holds the slot.</remarks>
    private async ValueTask<bool> CheckAsync(PoolEntry entry)
    {
        long now = NowMs();
        if (now >= entry.ExpiresAt)
        {
            Evict(entry, "past its lifetime");
            return false;
        }

        if (ElapsedSince(entry.LastUsed, now) < _validationMs)
        {
            return true;
        }

        Interlocked.Increment(ref _validations);
        try
        {
            await entry.Connection!.ScalarAsync("SELECT 1", CancellationToken.None, timeoutSeconds: 5).ConfigureAwait(false);
            entry.LastUsed = NowMs();
            entry.ValidatedGeneration = Volatile.Read(ref entry.Generation); // the generation the coming lease gets
            return true;
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            Evict(entry, "failed validation: " + e.Message);
            return false;
        }
    }

    /// <summary>Claims the first slot in state <paramref name="from"/> by moving it to <paramref name="to"/>.</summary>
    private bool TryClaim(int from, int to, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PoolEntry? entry)
    {
        foreach (PoolEntry candidate in _entries)
        {
            if (Volatile.Read(ref candidate.State) == from
                && Interlocked.CompareExchange(ref candidate.State, to, from) == from)
            {
                entry = candidate;
                return true;
            }
        }

        entry = null;
        return false;
    }

    private bool TryClaimEmpty([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PoolEntry? entry) => TryClaim(PoolEntry.Empty, PoolEntry.Busy, out entry);

    /// <summary>Opens a connection in a claimed (Busy) slot and leaves it Leased; on failure the slot is Empty again and the error propagates.</summary>
    private async Task OpenAsync(PoolEntry entry, CancellationToken cancellationToken)
    {
        DbConnection connection;
        try
        {
            connection = await _endpoint.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref _creationFailures);
            Volatile.Write(ref entry.State, PoolEntry.Empty);
            PoolLog.OpenFailed(_logger, Name, e.Message);
            _breaker.OnFailure(e, NowMs());
            throw;
        }
        catch
        {
            Volatile.Write(ref entry.State, PoolEntry.Empty);
            throw;
        }

        _breaker.OnSuccess();
        Interlocked.Increment(ref _creations);
        long now = NowMs();
        entry.Connection = connection;
        entry.BrokenGeneration = 0;
        entry.LastUsed = now;
        entry.ExpiresAt = _lifetimeMs == long.MaxValue ? long.MaxValue
            : now + _lifetimeMs - (long)(_lifetimeMs * _options.LifetimeJitter * Random.Shared.NextDouble());
        Volatile.Write(ref entry.State, PoolEntry.Leased);
    }

    /// <summary>Queues this acquisition and waits for a connection to be handed over, until the deadline.</summary>
    private async Task<PoolEntry> WaitAsync(long deadline, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<PoolEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        LinkedListNode<TaskCompletionSource<PoolEntry>> node;
        lock (_waitLock)
        {
            node = _waiters.AddLast(waiter);
            _waiterCount++;
        }

        // Anything freed between our last look and the enqueue is handed out now (to us or an earlier waiter).
        DrainIdleToWaiters();
        OnCapacityFreed();
        long remaining = deadline - NowMs();
        try
        {
            return await waiter.Task.WaitAsync(TimeSpan.FromMilliseconds(Math.Max(0, remaining)), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_waitLock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    _waiterCount--;
                }
            }

            if (waiter.Task.IsCompletedSuccessfully)
            {
                // Handed a connection at the moment we gave up: keep it rather than lose it.
                PoolEntry handed = await waiter.Task.ConfigureAwait(false); // already complete
                if (e is TimeoutException)
                {
                    return handed;
                }

                Release(handed, Volatile.Read(ref handed.Generation));
                throw;
            }

            waiter.TrySetCanceled(CancellationToken.None);
            if (e is TimeoutException)
            {
                Interlocked.Increment(ref _timeouts);
                PoolStatistics s = Statistics;
                throw new PoolTimeoutException(
                    $"pool \"{Name}\" ({_endpoint.DisplayName}): no connection within {_options.AcquireTimeout.TotalMilliseconds:F0} ms; size {s.Total} of {_options.MaxSize}, {s.Leased} leased, {s.Idle} idle, {s.Waiters} waiting, breaker {s.Breaker}", e);
            }

            throw;
        }
    }

    /// <summary>Hands idle connections to waiters, oldest first, while both exist.</summary>
    private void DrainIdleToWaiters()
    {
        while (Volatile.Read(ref _waiterCount) > 0 && TryTakeIdleForHandOff(out PoolEntry? entry))
        {
            if (!HandOff(entry))
            {
                Volatile.Write(ref entry.State, PoolEntry.Idle);
                return;
            }
        }
    }

    private bool TryTakeIdleForHandOff([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PoolEntry? entry) => TryClaim(PoolEntry.Idle, PoolEntry.Leased, out entry);

    /// <summary>Gives a Leased entry to the oldest waiter; false when none is waiting.</summary>
    private bool HandOff(PoolEntry entry)
    {
        lock (_waitLock)
        {
            while (_waiters.First is { } first)
            {
                _waiters.RemoveFirst();
                _waiterCount--;
                if (first.Value.TrySetResult(entry))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A slot became free (or a waiter queued): open a connection for the waiters if the pool may grow.</summary>
    private void OnCapacityFreed()
    {
        if (Volatile.Read(ref _waiterCount) == 0 || _disposed || !TryClaimEmpty(out PoolEntry? entry))
        {
            return;
        }

        if (!_breaker.TryBeginAttempt(NowMs()))
        {
            Volatile.Write(ref entry.State, PoolEntry.Empty);
            return;
        }

        _ = OpenForWaitersAsync(entry);
    }

    private async Task OpenForWaitersAsync(PoolEntry entry)
    {
        try
        {
            await OpenAsync(entry, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            return; // counted and logged by OpenAsync; the waiters wait on, time out, or fail fast if the breaker opened
        }

        entry.LastUsed = NowMs();
        if (!HandOff(entry))
        {
            Volatile.Write(ref entry.State, PoolEntry.Idle);
            DrainIdleToWaiters();
        }
    }

    /// <summary>Ends every waiting acquisition with <paramref name="error"/> (breaker opened, or pool disposed).</summary>
    private void FailWaiters(Exception error)
    {
        List<TaskCompletionSource<PoolEntry>> failed;
        lock (_waitLock)
        {
            failed = [.. _waiters];
            _waiters.Clear();
            _waiterCount = 0;
        }

        foreach (TaskCompletionSource<PoolEntry> waiter in failed)
        {
            waiter.TrySetException(error);
        }
    }

    private bool AnyInState(int state)
    {
        foreach (PoolEntry entry in _entries)
        {
            if (Volatile.Read(ref entry.State) == state)
            {
                return true;
            }
        }

        return false;
    }

    private PoolUnavailableException Unavailable(long now) => new(
        $"pool \"{Name}\" ({_endpoint.DisplayName}): circuit breaker {_breaker.State} after {_breaker.ConsecutiveFailures} failed connection attempts; " +
        $"next attempt in {_breaker.RetryAfter(now)} ms. Last error: {_breaker.LastError?.Message}",
        _breaker.LastError);

    /// <summary>Closes the connection of a slot this caller owns (Leased or Busy) and frees the slot.</summary>
    private void Evict(PoolEntry entry, string reason)
    {
        DbConnection? connection = entry.Connection;
        Dictionary<Queries.NamedQuery, DbCommand>? commands = entry.Commands;
        entry.Connection = null;
        entry.Commands = null;
        Interlocked.Increment(ref _evictions);
        PoolLog.Evicted(_logger, Name, reason);
        Volatile.Write(ref entry.State, PoolEntry.Empty);
        try
        {
            DisposeCommands(commands);
            connection?.Dispose();
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            // closing a dead connection may complain; it is gone either way
        }
    }

    /// <summary>Disposes a connection's prepared commands (before the connection itself).</summary>
    private static void DisposeCommands(Dictionary<Queries.NamedQuery, DbCommand>? commands)
    {
        if (commands is null)
        {
            return;
        }

        foreach (DbCommand command in commands.Values)
        {
            command.Dispose();
        }
    }

    /// <summary>After a broken connection: every idle one is checked before its next use.</summary>
    internal void SuspectIdleConnections()
    {
        foreach (PoolEntry entry in _entries)
        {
            entry.LastUsed = long.MinValue / 2;
        }
    }
}
