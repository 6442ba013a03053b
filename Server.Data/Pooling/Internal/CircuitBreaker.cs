namespace Realm.Data.Pooling.Internal;

/// <summary>
/// Counts consecutive failures to open a connection: at the threshold it opens (no new connection is
/// tried) for a cool-down, then lets one probe through (half-open); the probe's success closes it, its
/// failure reopens it. Not on any hot path: a lock keeps the transitions simple.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly Lock _lock = new();
    private readonly int _threshold;
    private readonly long _cooldownMs;
    private int _failures;
    private long _openedAt;
    private bool _probeInFlight;

    public CircuitBreaker(int threshold, TimeSpan cooldown)
    {
        _threshold = threshold;
        _cooldownMs = (long)cooldown.TotalMilliseconds;
    }

    /// <summary>Raised (outside the lock) with the old and new state.</summary>
    public event Action<CircuitState, CircuitState>? StateChanged;

    public CircuitState State { get; private set; } = CircuitState.Closed;

    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    public Exception? LastError { get; private set; }

    /// <summary>Milliseconds until an open breaker allows a probe (0 when not open).</summary>
    public long RetryAfter(long now)
    {
        lock (_lock)
        {
            return State == CircuitState.Open ? Math.Max(0, _openedAt + _cooldownMs - now) : 0;
        }
    }

    /// <summary>May a new connection be opened now? A half-open breaker allows exactly one at a time.</summary>
    public bool TryBeginAttempt(long now)
    {
        (CircuitState, CircuitState)? change = null;
        bool allowed;
        lock (_lock)
        {
            if (State == CircuitState.Open && now - _openedAt >= _cooldownMs)
            {
                change = (State, CircuitState.HalfOpen);
                State = CircuitState.HalfOpen;
                _probeInFlight = false;
            }

            switch (State)
            {
                case CircuitState.Closed:
                    allowed = true;
                    break;
                case CircuitState.HalfOpen when !_probeInFlight:
                    _probeInFlight = true;
                    allowed = true;
                    break;
                default:
                    allowed = false;
                    break;
            }
        }

        Raise(change);
        return allowed;
    }

    public void OnSuccess()
    {
        (CircuitState, CircuitState)? change = null;
        lock (_lock)
        {
            _failures = 0;
            _probeInFlight = false;
            LastError = null;
            if (State != CircuitState.Closed)
            {
                change = (State, CircuitState.Closed);
                State = CircuitState.Closed;
            }
        }

        Raise(change);
    }

    public void OnFailure(Exception error, long now)
    {
        (CircuitState, CircuitState)? change = null;
        lock (_lock)
        {
            _failures++;
            _probeInFlight = false;
            LastError = error;
            if (State == CircuitState.HalfOpen || (State == CircuitState.Closed && _failures >= _threshold))
            {
                change = (State, CircuitState.Open);
                State = CircuitState.Open;
                _openedAt = now;
            }
        }

        Raise(change);
    }

    private void Raise((CircuitState Old, CircuitState New)? change)
    {
        if (change is { } c)
        {
            StateChanged?.Invoke(c.Old, c.New);
        }
    }
}
