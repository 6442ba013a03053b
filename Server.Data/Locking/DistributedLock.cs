using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Coordination;
using Realm.Data.Locking.Internal;
using StackExchange.Redis;

namespace Realm.Data.Locking;

/// <summary>
/// The lock service: validation, retries with jittered backoff, validity and the renewal watchdog (one timer
/// for all of this instance's handles), over one
/// of three backends — in-process (<see cref="CreateInProcess"/>), one Redis server
/// (<see cref="ConnectRedisAsync"/>) or Redlock over three or more independent masters
/// (<see cref="ConnectRedlockAsync"/>).
/// </summary>
/// <remarks>
/// Every backend has the same semantics: a random owner value per acquisition, so only the holder can
/// extend or delete; a fencing token that increases per resource; expiry at the lease. Thread-safe.
/// Disposing closes the backend's connections; handles still held stop being renewable and end at their
/// lease (their <see cref="ILockHandle.LeaseLost"/> fires).
/// </remarks>
public sealed class DistributedLock : IDistributedLock
{
    private const int MaxResourceLength = 200;

    private readonly LockBackend _backend;
    private readonly LockOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RenewalScheduler _renewals;
    private int _disposed;

    private DistributedLock(LockBackend backend, LockOptions options, ILogger? logger)
    {
        _backend = backend;
        _options = options;
        _time = options.TimeProvider;
        _logger = logger ?? NullLogger.Instance;
        _renewals = new RenewalScheduler(_time);
    }

    /// <inheritdoc/>
    public string Name => _backend.Name;

    /// <summary>Locks held in this process only: correct while exactly one server uses the data. The embedded default.</summary>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem.</exception>
    public static DistributedLock CreateInProcess(LockOptions? options = null, ILogger? logger = null)
    {
        options = Checked(options);
#pragma warning disable CA2000 // the lock owns its backend and disposes it
        return new DistributedLock(new InProcessLockBackend(options.TimeProvider), options, logger);
#pragma warning restore CA2000
    }

    /// <summary>
    /// Locks on one Redis server: <c>SET NX PX</c> with a random owner value and the fencing <c>INCR</c> in one
    /// script; extension and release are compare-and-<c>PEXPIRE</c> / compare-and-<c>DEL</c> scripts.
    /// </summary>
    /// <remarks>One Redis is a single point of failure; a failover to a replica that missed the last writes can
    /// grant a lock twice. Use Redlock, or rely on fencing in storage, where that matters.</remarks>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid.</exception>
    public static async Task<DistributedLock> ConnectRedisAsync(DnsEndPoint server, LockOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        options = Checked(options);
#pragma warning disable CA2000 // the backend owns the connection, the lock owns the backend
        RedisLockServer connection = await RedisLockServer.ConnectAsync(server, options).ConfigureAwait(false);
        return new DistributedLock(new RedisLockBackend(connection, options), options, logger);
#pragma warning restore CA2000
    }

    /// <summary>
    /// Redlock over three or more independent Redis masters (redis.io, "Distributed Locks with Redis"): the
    /// acquisition runs on every master in parallel and succeeds when a majority granted it within
    /// validity = lease − elapsed − drift; otherwise it is released on all. Renewal needs a majority too.
    /// </summary>
    /// <remarks>
    /// <para>Assumptions: the masters share no data (no replication between them); clocks may differ in
    /// <em>rate</em> by at most the drift allowance (1 % + 2 ms), but not jump (no manual clock changes, no
    /// NTP step on the masters); a master that restarts without persistence forgets its locks, so it must
    /// stay down for at least one lease after a crash (Redlock's "delayed restart") or a second holder can
    /// get a majority.</para>
    /// <para>Limits: timing cannot protect a holder that pauses (GC, VM migration) between checking
    /// <see cref="ILockHandle.IsHeld"/> and writing; the fencing token covers that case, so storage must check
    /// it. Tokens: each master counts its own; the holder's token is the largest of its majority, written
    /// back to the masters that granted a smaller one before the handle is returned, so any later majority
    /// (which shares a master with this one) hands out a larger token.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">Fewer than three servers, or invalid <paramref name="options"/>.</exception>
    public static async Task<DistributedLock> ConnectRedlockAsync(IReadOnlyList<DnsEndPoint> servers, LockOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count < 3)
        {
            ThrowHelper.ThrowArgument(nameof(servers), $"Redlock needs three or more independent Redis masters; {servers.Count} given");
        }

        options = Checked(options);
        var sockets = new SocketManager("realm-redlock");
        var connections = new RedisLockServer[servers.Count];
        try
        {
            for (int i = 0; i < servers.Count; i++)
            {
                connections[i] = await RedisLockServer.ConnectAsync(servers[i], options, sockets).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (RedisLockServer? connection in connections)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }

            sockets.Dispose();
            throw;
        }

#pragma warning disable CA2000 // the lock owns the backend, which owns the connections and their socket threads
        return new DistributedLock(new RedlockBackend(connections, sockets, options), options, logger);
#pragma warning restore CA2000
    }

    /// <summary>
    /// The backend configuration asks for: none → in-process, one server → single Redis, three or more →
    /// Redlock. Two servers are refused: a majority of two is both, so either one failing stops every lock.
    /// </summary>
    /// <exception cref="ArgumentException">Two servers, or invalid <paramref name="options"/>.</exception>
    public static async Task<DistributedLock> ConnectAsync(RedisEndpointList? servers, LockOptions? options = null, ILogger? logger = null)
    {
        if (servers is null)
        {
            return CreateInProcess(options, logger);
        }

        return servers.Endpoints.Count switch
        {
            1 => await ConnectRedisAsync(servers.Endpoints[0], options, logger).ConfigureAwait(false),
            2 => throw new ArgumentException("two Redis servers cannot form a fault-tolerant majority: give one (single instance) or three or more (Redlock)", nameof(servers)),
            _ => await ConnectRedlockAsync(servers.Endpoints, options, logger).ConfigureAwait(false),
        };
    }

    /// <inheritdoc/>
    public async ValueTask<LockAcquisition> TryAcquireAsync(string resource, TimeSpan lease, TimeSpan waitTimeout, CancellationToken cancellationToken = default)
    {
        ValidateArguments(resource, lease, waitTimeout);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        long begin = _time.GetTimestamp();
        BackendResult last = default;
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string owner = NewOwner();
            long start = _time.GetTimestamp();
            try
            {
                last = await _backend.TryAcquireAsync(resource, owner, lease, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // It may have been set before the cancellation. The backend bounds the call; a failure is left to the lease.
                await _backend.ReleaseAsync(resource, owner, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (last.Outcome == BackendOutcome.Done)
            {
#pragma warning disable CA2000 // returned to the caller, or released on every other path
                var handle = new LockHandle(_backend, _renewals, _time, _logger, resource, owner, lease, start, last.Token);
#pragma warning restore CA2000
                if (cancellationToken.IsCancellationRequested)
                {
                    await handle.ReleaseAsync().ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (handle.IsHeld)
                {
                    handle.Start(_options.AutoRenew);
                    return new LockAcquisition(LockStatus.Acquired, handle, null);
                }

                double tookMs = _time.GetElapsedTime(start).TotalMilliseconds;
                string late = string.Create(CultureInfo.InvariantCulture, $"the acquisition took {tookMs:F1} ms, leaving no validity of the {lease.TotalMilliseconds:F0} ms lease");
                LockLog.AcquiredTooLate(_logger, resource, late);
                await handle.ReleaseAsync().ConfigureAwait(false);
                last = BackendResult.Fail(late);
            }

            TimeSpan waited = _time.GetElapsedTime(begin);
            if (waited >= waitTimeout)
            {
                return Failure(resource, last, waited);
            }

            TimeSpan delay = Backoff(attempt);
            TimeSpan left = waitTimeout - waited;
            await Task.Delay(delay < left ? delay : left, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _renewals.ShutDown(); // handles still held keep their loss signal; their renewals fail from here on
            await _backend.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static LockOptions Checked(LockOptions? options)
    {
        options ??= new LockOptions();
        IReadOnlyList<string> errors = options.Validate();
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowArgument(nameof(options), "lock options: " + string.Join("; ", errors));
        }

        return options;
    }

    private static void ValidateArguments(string resource, TimeSpan lease, TimeSpan waitTimeout)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Length is 0 or > MaxResourceLength || !IsValidResource(resource))
        {
            ThrowHelper.ThrowArgument(nameof(resource), $"resource \"{resource}\" is not allowed: 1–{MaxResourceLength} characters, no whitespace, control characters or braces");
        }

        if (lease < LockValidity.MinimumLease || lease > LockValidity.MaximumLease)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(lease), $"lease {lease} is not allowed: {LockValidity.MinimumLease.TotalMilliseconds} ms to 1 day");
        }

        if (waitTimeout < TimeSpan.Zero || waitTimeout > TimeSpan.FromHours(1))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(waitTimeout), $"wait timeout {waitTimeout} is not allowed: 0 to 1 h");
        }
    }

    private static bool IsValidResource(string resource)
    {
        foreach (char c in resource)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '{' or '}')
            {
                return false;
            }
        }

        return true;
    }

    private static string NewOwner()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }

    private static LockAcquisition Failure(string resource, BackendResult last, TimeSpan waited)
    {
        string waitedText = waited.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
        return last.Outcome == BackendOutcome.NotOwner
            ? new LockAcquisition(LockStatus.HeldElsewhere, null, $"\"{resource}\" is held by another owner (waited {waitedText} ms)")
            : new LockAcquisition(LockStatus.Unavailable, null, $"\"{resource}\" could not be locked: {last.Error} (waited {waitedText} ms)");
    }

    private TimeSpan Backoff(int attempt)
    {
        // Exponential with "equal jitter" (half fixed, half random), so waiters that collided spread out.
        long min = _options.RetryMinDelay.Ticks;
        long max = _options.RetryMaxDelay.Ticks;
        long step = attempt >= 20 ? max : Math.Min(max, min << attempt);
#pragma warning disable CA5394 // jitter, not security
        return TimeSpan.FromTicks(step / 2 + (long)(Random.Shared.NextDouble() * (step / 2)));
#pragma warning restore CA5394
    }

}
