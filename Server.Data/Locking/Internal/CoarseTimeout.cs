namespace Realm.Data.Locking.Internal;

/// <summary>
/// Timeouts for many short calls without a timer per call: calls started within one slice (a quarter of
/// the timeout) share a token that is cancelled <see cref="Timeout"/> + one slice after the slice began,
/// so each call gets between <see cref="Timeout"/> and 1.25 × <see cref="Timeout"/>.
/// </summary>
/// <remarks>
/// A per-call <c>WaitAsync(timeout)</c> creates and disposes a timer each time, and on a small machine the
/// timer thread's reprogramming shows in the latency of every lock call. Here one timer runs per slice.
/// Thread-safe; a token that fired disposes its own timer, and is only dropped (never disposed) so that
/// calls still registered on it stay valid.
/// </remarks>
internal sealed class CoarseTimeout
{
    private readonly TimeProvider _time;
    private readonly long _sliceMs;
    private Slice _current;

    /// <param name="timeout">The shortest timeout a call gets.</param>
    /// <param name="time">Runs the timers. Slices are cut by <see cref="Environment.TickCount64"/>, so that taking a
    /// token never reads <paramref name="time"/>: a test clock that moves on every read sees the same reads as before.</param>
    public CoarseTimeout(TimeSpan timeout, TimeProvider time)
    {
        Timeout = timeout;
        _time = time;
        _sliceMs = Math.Max(1, (long)(timeout.TotalMilliseconds / 4));
        _current = NewSlice(Environment.TickCount64);
    }

    /// <summary>The shortest time a call may take before its token is cancelled.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The token for a call starting now.</summary>
    public CancellationToken Token
    {
        get
        {
            Slice slice = Volatile.Read(ref _current);
            long now = Environment.TickCount64;
            if (now - slice.Start < _sliceMs)
            {
                return slice.Source.Token;
            }

            Slice next = NewSlice(now);
            Slice seen = Interlocked.CompareExchange(ref _current, next, slice);
            if (!ReferenceEquals(seen, slice))
            {
                next.Source.Dispose(); // another caller started the slice first
                return seen.Source.Token;
            }

            return next.Source.Token;
        }
    }

#pragma warning disable CA2000 // the source cancels itself (which disposes its timer); see the remarks
    private Slice NewSlice(long start) => new(start, new CancellationTokenSource(Timeout + TimeSpan.FromMilliseconds(_sliceMs), _time));
#pragma warning restore CA2000

    private sealed record Slice(long Start, CancellationTokenSource Source);
}
