namespace Realm.Data.Internal;

/// <summary>The background loop of the data tier's timers (health checks, lag checks, pool maintenance, cache sweeps).</summary>
internal static class PeriodicWork
{
    /// <summary>
    /// Runs <paramref name="work"/> every <paramref name="interval"/> (the first time at once when
    /// <paramref name="runAtOnce"/>) until <paramref name="stop"/> is cancelled; returns normally then.
    /// </summary>
    public static async Task RunAsync(TimeSpan interval, TimeProvider time, bool runAtOnce, Func<CancellationToken, Task> work, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            if (runAtOnce)
            {
                await work(stop).ConfigureAwait(false);
            }

            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                await work(stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // stopped
        }
    }
}
