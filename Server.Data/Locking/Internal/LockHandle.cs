using Microsoft.Extensions.Logging;
using Realm.Data.Internal;

namespace Realm.Data.Locking.Internal;

/// <summary>
/// A held lock and its watchdog. Times are <see cref="TimeProvider"/> timestamps; <c>_deadline</c> is when
/// the holder stops trusting the lock (acquisition or renewal start + lease − drift − lease/6). The watchdog
/// has no timer of its own: the lock instance's <see cref="RenewalScheduler"/> calls <see cref="OnDue"/>.
/// </summary>
internal sealed class LockHandle : ILockHandle, IScheduledWork
{
    private const int Held = 0;
    private const int Released = 1;
    private const int Lost = 2;

    private readonly LockBackend _backend;
    private readonly RenewalScheduler _scheduler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _owner;
    private readonly long _validitySpan;  // lease − drift − guard, in timestamp units
    private readonly long _renewalSpan;   // lease/3
    private readonly long _retrySpan;     // lease/12
    // Created when LeaseLost is first read (most holders of a short lock never read it). It stays readable after
    // release and loss and owns no timer or wait handle, so it is not disposed.
    private CancellationTokenSource? _lost;
    private long _deadline;
    private long _nextRenewal;
    private int _state;
    private int _releaseCalled;
    private int _renewals;
    private bool _renew;
    private Task? _renewing;

    public LockHandle(LockBackend backend, RenewalScheduler scheduler, TimeProvider time, ILogger logger, string resource, string owner, TimeSpan lease, long acquireStart, long token)
    {
        _backend = backend;
        _scheduler = scheduler;
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

    public CancellationToken LeaseLost
    {
        get
        {
            CancellationTokenSource? lost = Volatile.Read(ref _lost);
            if (lost is null)
            {
                var created = new CancellationTokenSource();
                lost = Interlocked.CompareExchange(ref _lost, created, null) ?? created;
                if (!ReferenceEquals(lost, created))
                {
                    created.Dispose();
                }
                else if (Volatile.Read(ref _state) == Lost)
                {
                    Signal(lost); // lost before anyone asked; MarkLost may signal it too, which is harmless
                }
            }

            return lost.Token;
        }
    }

    /// <summary>Successful renewals (watchdog and manual); tests wait on it instead of on the clock.</summary>
    internal int Renewals => Volatile.Read(ref _renewals);

    /// <summary>Still held as far as this process knows: not released and not lost. The scheduler keeps only these.</summary>
    public bool IsActive => Volatile.Read(ref _state) == Held;

    /// <inheritdoc/>
    public int HeapIndex { get; set; } = -1;

    /// <inheritdoc/>
    public long Due { get; set; }

    /// <summary>Starts the watchdog: renewals when <paramref name="renew"/>, and the loss signal at the deadline either way.</summary>
    public void Start(bool renew)
    {
        _renew = renew;
        _scheduler.Schedule(this, NextDue());
    }

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
        _scheduler.Cancel(this); // after the state: see RenewalScheduler.Schedule
        Task? renewing = Volatile.Read(ref _renewing);
        if (renewing is not null && !renewing.IsCompleted)
        {
            await renewing.ConfigureAwait(false); // bounded by the validity; it never throws
        }

        if (previous != Held)
        {
            return false; // lost: the watchdog already tried to delete it
        }

        return await DeleteAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await ReleaseAsync().ConfigureAwait(false);

    /// <summary>
    /// The scheduler's call at <see cref="Due"/>: the loss signal when validity has ended, else a renewal when one
    /// is due, else (a manual <see cref="ExtendAsync"/> moved the times) back into the scheduler.
    /// </summary>
    public void OnDue()
    {
        if (!IsActive)
        {
            return;
        }

        long now = _time.GetTimestamp();
        if (now >= Volatile.Read(ref _deadline))
        {
            if (MarkLost("renewal did not succeed before its validity ended"))
            {
                _ = DeleteAsync(); // frees it early for the next owner if the server still has it; never throws
            }

            return;
        }

        long next = NextDue();
        if (next > now)
        {
            _scheduler.Schedule(this, next);
            return;
        }

        Volatile.Write(ref _renewing, RenewAsync());
    }

    private long NextDue()
    {
        long deadline = Volatile.Read(ref _deadline);
        return _renew ? Math.Min(Volatile.Read(ref _nextRenewal), deadline) : deadline;
    }

    private async Task RenewAsync()
    {
        BackendResult result;
        try
        {
            result = await ExtendCoreAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a renewal nobody awaits must not fault unobserved; the failure takes the retry path
        catch (Exception e)
#pragma warning restore CA1031
        {
            result = BackendResult.Fail(e.Message);
        }

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

        _scheduler.Schedule(this, NextDue()); // ignored when released meanwhile
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

        if (result.Outcome == BackendOutcome.Done && IsActive)
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

        _scheduler.Cancel(this);
        LockLog.LeaseLost(_logger, Resource, FencingToken, reason);
        CancellationTokenSource? lost = Volatile.Read(ref _lost);
        if (lost is not null)
        {
            Signal(lost);
        }

        return true;
    }

    private void Signal(CancellationTokenSource lost)
    {
        try
        {
            lost.Cancel();
        }
        catch (AggregateException e)
        {
            LockLog.LeaseLostCallbackFailed(_logger, Resource, e.InnerException?.Message ?? e.Message);
        }
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
