using Microsoft.Extensions.Logging;
using Realm.Data.Internal;

namespace Realm.Data.Locking.Internal;

/// <summary>
/// A held lock and its watchdog. Times are <see cref="TimeProvider"/> timestamps; <c>_deadline</c> is when
/// the holder stops trusting the lock (acquisition or renewal start + lease − drift − lease/6).
/// </summary>
internal sealed class LockHandle : ILockHandle
{
    private const int Held = 0;
    private const int Released = 1;
    private const int Lost = 2;

    private readonly LockBackend _backend;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly long _validitySpan;  // lease − drift − guard, in timestamp units
    private readonly long _renewalSpan;   // lease/3
    private readonly long _retrySpan;     // lease/12
#pragma warning disable CA2213 // LeaseLost stays readable after release and loss; it owns no timer or wait handle, so nothing leaks
    private readonly CancellationTokenSource _lost = new();
#pragma warning restore CA2213
    private readonly CancellationTokenSource _stop = new();
    private long _deadline;
    private long _nextRenewal;
    private int _state;
    private int _releaseCalled;
    private int _renewals;
    private Task _watchdog = Task.CompletedTask;

    public LockHandle(LockBackend backend, TimeProvider time, ILogger logger, string resource, string owner, TimeSpan lease, long acquireStart, long token)
    {
        _backend = backend;
        _time = time;
        _logger = logger;
        _owner = owner;
        Resource = resource;
        Lease = lease;
        FencingToken = token;
        _validitySpan = _time.ToTimestampSpan(lease - LockValidity.Drift(lease) - LockValidity.LossGuard(lease));
        _renewalSpan = _time.ToTimestampSpan(LockValidity.RenewalInterval(lease));
        _retrySpan = _time.ToTimestampSpan(LockValidity.RetryInterval(lease));
        _deadline = acquireStart + _validitySpan;
        _nextRenewal = acquireStart + _renewalSpan;
    }

    public string Resource { get; }

    public long FencingToken { get; }

    public TimeSpan Lease { get; }

    public bool IsHeld => Volatile.Read(ref _state) == Held && _time.GetTimestamp() < Volatile.Read(ref _deadline);

    public TimeSpan RemainingValidity
    {
        get
        {
            if (Volatile.Read(ref _state) != Held)
            {
                return TimeSpan.Zero;
            }

            long left = Volatile.Read(ref _deadline) - _time.GetTimestamp();
            return left <= 0 ? TimeSpan.Zero : _time.GetElapsedTime(0, left);
        }
    }

    public CancellationToken LeaseLost => _lost.Token;

    /// <summary>Successful renewals (watchdog and manual); tests wait on it instead of on the clock.</summary>
    internal int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Starts the watchdog: renewals when <paramref name="renew"/>, and the loss signal at the deadline either way.</summary>
    public void Start(bool renew) => _watchdog = WatchAsync(renew);

    public async ValueTask<bool> ExtendAsync(CancellationToken cancellationToken = default)
    {
        BackendResult result = await ExtendCoreAsync(cancellationToken).ConfigureAwait(false);
        if (result.Outcome == BackendOutcome.NotOwner)
        {
            MarkLost("another owner holds it");
        }

        return result.Outcome == BackendOutcome.Done;
    }

    public async ValueTask<bool> ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _releaseCalled, 1) != 0)
        {
            return false;
        }

        int previous = Interlocked.CompareExchange(ref _state, Released, Held);
        await StopWatchdogAsync().ConfigureAwait(false);
        if (previous != Held)
        {
            return false; // lost: the watchdog already tried to delete it
        }

        return await DeleteAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    private async Task WatchAsync(bool renew)
    {
        CancellationToken stop = _stop.Token;
        try
        {
            while (true)
            {
                long now = _time.GetTimestamp();
                long deadline = Volatile.Read(ref _deadline);
                if (now >= deadline)
                {
                    if (MarkLost("renewal did not succeed before its validity ended"))
                    {
                        await DeleteAsync().ConfigureAwait(false); // frees it early for the next owner if the server still has it
                    }

                    return;
                }

                long next = renew ? Math.Min(Volatile.Read(ref _nextRenewal), deadline) : deadline;
                if (next > now)
                {
                    await Task.Delay(_time.GetElapsedTime(now, next), _time, stop).ConfigureAwait(false);
                    continue; // re-read: a manual ExtendAsync may have moved the deadline
                }

                BackendResult result = await ExtendCoreAsync(stop).ConfigureAwait(false);
                if (result.Outcome == BackendOutcome.NotOwner)
                {
                    MarkLost("another owner holds it");
                    return;
                }

                if (result.Outcome == BackendOutcome.Failed)
                {
                    LockLog.RenewalFailed(_logger, Resource, result.Error ?? "?");
                    Volatile.Write(ref _nextRenewal, _time.GetTimestamp() + _retrySpan);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // released
        }
    }

    private async Task<BackendResult> ExtendCoreAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _state) != Held)
        {
            return BackendResult.NotOwner;
        }

        long start = _time.GetTimestamp();
        long left = Volatile.Read(ref _deadline) - start;
        if (left <= 0)
        {
            return BackendResult.Fail("validity already ended");
        }

        BackendResult result;
        try
        {
            // Bounded by the deadline: a renewal that hangs (paused or dead server) must not hold back the loss signal.
            result = await _backend.TryExtendAsync(Resource, _owner, Lease, cancellationToken)
                .WaitAsync(_time.GetElapsedTime(0, left), _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return BackendResult.Fail("no answer before the end of validity");
        }

        if (result.Outcome == BackendOutcome.Done)
        {
            Interlocked.Increment(ref _renewals);
            RaiseDeadline(start + _validitySpan);
            Volatile.Write(ref _nextRenewal, start + _renewalSpan);
        }

        return result;
    }

    // A manual ExtendAsync and the watchdog can finish in either order; the later validity wins.
    private void RaiseDeadline(long value) => InterlockedMath.Max(ref _deadline, value);

    private bool MarkLost(string reason)
    {
        if (Interlocked.CompareExchange(ref _state, Lost, Held) != Held)
        {
            return false;
        }

        LockLog.LeaseLost(_logger, Resource, FencingToken, reason);
        try
        {
            _lost.Cancel();
        }
        catch (AggregateException e)
        {
            LockLog.LeaseLostCallbackFailed(_logger, Resource, e.InnerException?.Message ?? e.Message);
        }

        return true;
    }

    private async Task StopWatchdogAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (!_watchdog.IsCompleted)
        {
            try
            {
                await _watchdog.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
        }

        _stop.Dispose();
    }

    private async Task<bool> DeleteAsync()
    {
        // The backend bounds the call itself (its operation timeout) and reports a timeout as Failed.
        BackendResult result = await _backend.ReleaseAsync(Resource, _owner, CancellationToken.None).ConfigureAwait(false);
        if (result.Outcome == BackendOutcome.Failed)
        {
            LockLog.ReleaseFailed(_logger, Resource, (result.Error ?? "?") + "; the lease ends it");
        }

        return result.Outcome == BackendOutcome.Done;
    }
}
