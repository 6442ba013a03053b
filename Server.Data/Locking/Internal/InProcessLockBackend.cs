using Realm.Data.Internal;

namespace Realm.Data.Locking.Internal;

/// <summary>
/// Locks in a dictionary under one monitor: the embedded default. Same semantics as Redis: owner value,
/// expiry at the lease (checked on access, swept as the table grows), fencing token per acquisition.
/// </summary>
/// <remarks>
/// Tokens are max(last + 1, wall clock in µs), so a restarted server still hands out tokens above those it
/// stored before. Not a hot path (one acquisition per login): a lock
/// keeps it simple and obviously correct.
/// </remarks>
internal sealed class InProcessLockBackend : LockBackend
{
    private const int SweepEvery = 1024;

    private readonly Dictionary<string, Entry> _locks = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _lastToken;
    private int _sinceSweep;
    private bool _closed;

    public InProcessLockBackend(TimeProvider time)
    {
        _time = time;
        _lastToken = FenceFloor.Now(time);
    }

    public override string Name => "in-process";

    /// <summary>Locks currently in the table (live or expired but not yet swept); for tests of boundedness.</summary>
    internal int Count
    {
        get
        {
            lock (_gate)
            {
                return _locks.Count;
            }
        }
    }

    public override Task<BackendResult> TryAcquireAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (++_sinceSweep >= SweepEvery)
            {
                _sinceSweep = 0;
                Sweep(now);
            }

            if (_locks.TryGetValue(resource, out Entry current) && current.ExpiresAt > now)
            {
                return Task.FromResult(BackendResult.NotOwner);
            }

            _locks[resource] = new Entry(owner, now + _time.ToTimestampSpan(lease));
            _lastToken = Math.Max(_lastToken + 1, FenceFloor.Now(_time)); // time-like, as the Redis tokens
            return Task.FromResult(new BackendResult(BackendOutcome.Done, _lastToken));
        }
    }

    public override Task<BackendResult> TryExtendAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_closed)
            {
                return Task.FromResult(BackendResult.Fail("the in-process lock service is closed")); // as a closed Redis connection
            }

            if (!IsOwnedBy(resource, owner, now))
            {
                return Task.FromResult(BackendResult.NotOwner);
            }

            _locks[resource] = new Entry(owner, now + _time.ToTimestampSpan(lease));
            return Task.FromResult(new BackendResult(BackendOutcome.Done));
        }
    }

    public override Task<BackendResult> ReleaseAsync(string resource, string owner, CancellationToken cancellationToken)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!IsOwnedBy(resource, owner, now))
            {
                return Task.FromResult(BackendResult.NotOwner);
            }

            _locks.Remove(resource);
            return Task.FromResult(new BackendResult(BackendOutcome.Done));
        }
    }

    /// <summary>Held locks stay until their lease ends, but can no longer be extended: their holders see the loss.</summary>
    public override ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
        }

        return ValueTask.CompletedTask;
    }

    private bool IsOwnedBy(string resource, string owner, long now) =>
        _locks.TryGetValue(resource, out Entry current) && current.ExpiresAt > now && string.Equals(current.Owner, owner, StringComparison.Ordinal);

    private void Sweep(long now)
    {
        foreach (KeyValuePair<string, Entry> pair in _locks)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _locks.Remove(pair.Key); // removing during enumeration is allowed for Dictionary since .NET Core 3.0
            }
        }
    }

    private readonly record struct Entry(string Owner, long ExpiresAt);
}
