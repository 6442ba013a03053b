namespace Realm.Data.Internal;

/// <summary>
/// The background loop of the data tier's timers (health checks, lag checks, pool maintenance, cache
/// sweeps, partition maintenance): runs its work every interval on the thread pool from <see cref="Start"/>
/// until it is disposed, which waits for a run in progress.
/// </summary>
/// <remarks>Thread-safe; <see cref="Start"/> and disposal are idempotent. The work owns its error handling:
/// an exception it lets out ends the loop and is thrown again by the disposal.</remarks>
internal sealed class PeriodicWork : IAsyncDisposable, IDisposable
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly bool _runAtOnce;
    private readonly Func<CancellationToken, Task> _work;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _started;
    private int _disposed;

    /// <param name="interval">Time between runs.</param>
    /// <param name="time">The clock of the timer.</param>
    /// <param name="runAtOnce">Run the work as soon as the loop starts, not one interval later.</param>
    /// <param name="work">One run; its token is cancelled by the disposal.</param>
    public PeriodicWork(TimeSpan interval, TimeProvider time, bool runAtOnce, Func<CancellationToken, Task> work)
    {
        _interval = interval;
        _time = time;
        _runAtOnce = runAtOnce;
        _work = work;
    }

    /// <summary>Starts the loop, once; later calls do nothing.</summary>
    /// <exception cref="ObjectDisposedException">Already disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            Volatile.Write(ref _loop, Task.Run(LoopAsync));
        }
    }

    /// <summary>Stops the loop and waits for a run in progress.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _loop) is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Stops the loop and blocks until a run in progress ends.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        Volatile.Read(ref _loop)?.GetAwaiter().GetResult();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        CancellationToken stop = _stop.Token;
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            if (_runAtOnce)
            {
                await _work(stop).ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await _work(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped
        }
    }
}
