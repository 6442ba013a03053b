using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Realm.Data.Coordination;
using StackExchange.Redis;

namespace Realm.Data.Locking.Internal;

/// <summary>
/// One Redis server's connection and the lock scripts. Every call is bounded by a timeout and answers
/// with a <see cref="BackendResult"/>; it never throws for a server that is slow, down or erroring.
/// </summary>
/// <remarks>
/// Keys: <c>{prefix}{resource}</c> holds the owner value with the lease as its TTL;
/// <c>{prefix}{resource}:fence</c> the fencing counter. The resource sits in braces as a hash tag so both
/// keys land on one slot if the server is ever a cluster.
/// </remarks>
internal sealed class RedisLockServer : IAsyncDisposable
{
    // SET NX PX and the fencing token in one script: no holder can exist without its token. The token is
    // max(stored + 1, ARGV[4]), ARGV[4] being the client's wall clock in µs plus headroom (FenceFloor), the same
    // for every master of one Redlock attempt: masters that have seen the resource before agree on it as long as
    // the clock moved on, so Redlock needs no second round to reconcile them. A missing counter (first use,
    // expired retention, restart without persistence) starts at max(ARGV[4], this server's clock in µs), which
    // keeps tokens above those issued before the loss (LockOptions.FenceRetention). The common case writes the
    // floor and reads the old value in one call (SET … GET, Redis 6.2+) and needs no second write. Lua numbers
    // are doubles: exact up to 2^53, which µs since 1970 stay below until the year 2255.
    internal const string AcquireScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          local token = tonumber(ARGV[4])
          local stored = redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3], 'GET')
          local higher
          if stored then
            higher = tonumber(stored) + 1
          else
            local t = redis.call('TIME')
            higher = tonumber(t[1]) * 1000000 + tonumber(t[2])
          end
          if higher > token then
            token = higher
            redis.call('SET', KEYS[2], string.format('%d', token), 'PX', ARGV[3])
          end
          return token
        end
        return 0
        """;

    // Compare-and-pexpire: only the owner value extends. Returns 1 when extended, 0 when not ours.
    private const string ExtendScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        end
        return 0
        """;

    // Compare-and-delete: never a plain DEL, which would free another owner's lock after ours expired.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    // Redlock: lift this master's counter to the majority's token so a later majority sharing this master counts above it.
    private const string RaiseFenceScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if current < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        end
        return 1
        """;

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly string _prefix;
    private readonly RedisValue _fenceRetentionMs;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TimeSpan, CoarseTimeout> _timeouts = new();

    private RedisLockServer(ConnectionMultiplexer connection, DnsEndPoint endpoint, LockOptions options)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        _prefix = options.KeyPrefix;
        _fenceRetentionMs = (long)options.FenceRetention.TotalMilliseconds;
        _time = options.TimeProvider;
        Name = RedisEndpointList.Format(endpoint);
    }

    public string Name { get; }

    /// <summary>
    /// Connects without failing on an unreachable server: the multiplexer keeps reconnecting, and each call
    /// reports the server as failed until it answers (a Redlock majority can work with one master down).
    /// </summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="options">Timeouts, key prefix, clock.</param>
    /// <param name="sockets">Socket threads shared with other connections (Redlock: one set for every master
    /// instead of one per multiplexer, which on a small machine costs context switches); null for the default.</param>
    public static async Task<RedisLockServer> ConnectAsync(DnsEndPoint endpoint, LockOptions options, SocketManager? sockets = null)
    {
        int timeoutMs = (int)Math.Max(1000, options.OperationTimeout.TotalMilliseconds);
        var configuration = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ConnectTimeout = timeoutMs,
            SyncTimeout = timeoutMs,
            ConnectRetry = 2,
            KeepAlive = 1,
            AllowAdmin = false,
            SocketManager = sockets,
        };
        configuration.EndPoints.Add(endpoint.Host, endpoint.Port);
        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);

        // 1.2.6 completes async calls in order on one worker by default; lock calls are independent, and the
        // ordered queue adds latency under concurrency.
        connection.PreserveAsyncOrder = false;
        return new RedisLockServer(connection, endpoint, options);
    }

    /// <summary>Sets the lock if free; the token is at least <paramref name="floor"/> (wall clock in µs).</summary>
    public Task<BackendResult> AcquireAsync(string resource, string owner, TimeSpan lease, long floor, TimeSpan timeout) =>
        EvaluateAsync(
            AcquireScript,
            [LockKey(resource), FenceKey(resource)],
            [owner, (long)lease.TotalMilliseconds, _fenceRetentionMs, floor],
            timeout,
            Answer.Token);

    public Task<BackendResult> ExtendAsync(string resource, string owner, TimeSpan lease, TimeSpan timeout) =>
        EvaluateAsync(ExtendScript, [LockKey(resource)], [owner, (long)lease.TotalMilliseconds], timeout, Answer.OneIfOwner);

    public Task<BackendResult> ReleaseAsync(string resource, string owner, TimeSpan timeout) =>
        EvaluateAsync(ReleaseScript, [LockKey(resource)], [owner, RedisValue.EmptyString], timeout, Answer.OneIfOwner);

    public Task<BackendResult> RaiseFenceAsync(string resource, long token, TimeSpan timeout) =>
        EvaluateAsync(RaiseFenceScript, [FenceKey(resource)], [token, _fenceRetentionMs], timeout, Answer.Done, token);

    public async ValueTask DisposeAsync()
    {
        // 1.2.6: Close(allowCommandsToComplete: true) of a second multiplexer was measured to block for 5 s here.
        await _connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        _connection.Dispose();
    }

    // One async method per call, with the script's answer read in place (an enum, not a delegate): every
    // layer of async state machine is an allocation and a continuation on the path a login waits for.
    private async Task<BackendResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, TimeSpan timeout, Answer answer, long token = 0)
    {
        RedisResult result;
        try
        {
            result = await _database.ScriptEvaluateAsync(script, keys, values).WaitAsync(TimeoutFor(timeout).Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // also RedisTimeoutException, which derives from TimeoutException; the cancellation is the coarse timeout's
            return BackendResult.Fail(string.Create(CultureInfo.InvariantCulture, $"Redis {Name} did not answer within {timeout.TotalMilliseconds:F0} ms"));
        }
        catch (RedisException e)
        {
            return BackendResult.Fail($"Redis {Name}: {e.Message}");
        }
        catch (ObjectDisposedException)
        {
            return BackendResult.Fail($"Redis {Name}: the connection is closed");
        }

        switch (answer)
        {
            case Answer.Token:
                long granted = (long)result;
                return granted > 0 ? new BackendResult(BackendOutcome.Done, granted) : BackendResult.NotOwner;
            case Answer.OneIfOwner:
                return (long)result == 1 ? new BackendResult(BackendOutcome.Done) : BackendResult.NotOwner;
            default:
                return new BackendResult(BackendOutcome.Done, token);
        }
    }

    /// <summary>One <see cref="CoarseTimeout"/> per distinct timeout (the operation timeout, Redlock's lease/10 per lease in use).</summary>
    private CoarseTimeout TimeoutFor(TimeSpan timeout) =>
        _timeouts.TryGetValue(timeout, out CoarseTimeout? known) ? known : _timeouts.GetOrAdd(timeout, t => new CoarseTimeout(t, _time));

    private RedisKey LockKey(string resource) => string.Concat(_prefix, "{", resource, "}");

    private RedisKey FenceKey(string resource) => string.Concat(_prefix, "{", resource, "}:fence");

    /// <summary>How a script's reply reads.</summary>
    private enum Answer
    {
        /// <summary>The acquisition: the fencing token, or 0 when another owner holds it.</summary>
        Token,

        /// <summary>Compare-and-X: 1 when done, 0 when not ours.</summary>
        OneIfOwner,

        /// <summary>Always done; the result carries the given token.</summary>
        Done,
    }
}
