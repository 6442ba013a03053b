namespace Realm.Data.Locking;

/// <summary>
/// A lock service shared by every game server: at most one holder per resource at a time, each holder
/// identified by a <see cref="ILockHandle.FencingToken"/> that storage uses to refuse a stale holder.
/// </summary>
/// <remarks>
/// Implemented by <see cref="DistributedLock"/> over three backends: in-process (the embedded default,
/// correct while one server runs), one Redis server, and Redlock over three or more independent Redis
/// masters. Thread-safe.
/// </remarks>
public interface IDistributedLock : IAsyncDisposable
{
    /// <summary>What the locks are held on, for logs: <c>in-process</c>, <c>redis 127.0.0.1:6379</c>, <c>redlock(3) …</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Tries to take <paramref name="resource"/> for <paramref name="lease"/>, retrying with jittered backoff
    /// while another holder has it, until <paramref name="waitTimeout"/> has passed.
    /// </summary>
    /// <param name="resource">What to lock, e.g. <c>player:42</c>: 1–200 characters, no whitespace, no braces.</param>
    /// <param name="lease">How long the lock lives on the server without renewal (50 ms to 1 day). The handle
    /// renews it at lease/3 while held unless <see cref="LockOptions.AutoRenew"/> is off.</param>
    /// <param name="waitTimeout">How long to keep trying; <see cref="TimeSpan.Zero"/> tries once.</param>
    /// <param name="cancellationToken">Stops waiting; an acquisition already granted is released.</param>
    /// <returns>The handle, or the reason there is none (held by another owner, or the backend failing).</returns>
    /// <exception cref="ArgumentException">The resource, lease or wait timeout is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    ValueTask<LockAcquisition> TryAcquireAsync(string resource, TimeSpan lease, TimeSpan waitTimeout, CancellationToken cancellationToken = default);
}
