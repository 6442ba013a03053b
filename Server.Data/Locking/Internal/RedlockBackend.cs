using System.Text;
using StackExchange.Redis;

namespace Realm.Data.Locking.Internal;

/// <summary>
/// Redlock over N ≥ 3 independent masters (redis.io, "Distributed Locks with Redis"): each attempt runs on
/// every master in parallel with a short per-master timeout and needs a majority. Validity
/// (lease − elapsed − drift) is checked by <see cref="DistributedLock"/>, which releases on all when none is left.
/// </summary>
internal sealed class RedlockBackend : LockBackend
{
    private readonly RedisLockServer[] _servers;
    private readonly int _quorum;
    private readonly TimeSpan _operationTimeout;
    private readonly TimeProvider _time;
    private readonly SocketManager _sockets;

    public RedlockBackend(RedisLockServer[] servers, SocketManager sockets, LockOptions options)
    {
        _sockets = sockets;
        _time = options.TimeProvider;
        _servers = servers;
        _quorum = LockValidity.Quorum(servers.Length);
        _operationTimeout = options.OperationTimeout;
        Name = $"redlock({servers.Length}) {string.Join(",", servers.Select(s => s.Name))}";
    }

    public override string Name { get; }

    public override async Task<BackendResult> TryAcquireAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        TimeSpan timeout = ShortTimeout(lease);
        long floor = FenceFloor.Now(_time);
        BackendResult[] results = await GatherAsync(server => server.AcquireAsync(resource, owner, lease, floor, timeout)).ConfigureAwait(false);
        int granted = 0;
        long token = 0;
        foreach (BackendResult result in results)
        {
            if (result.Outcome == BackendOutcome.Done)
            {
                granted++;
                token = Math.Max(token, result.Token);
            }
        }

        if (granted >= _quorum)
        {
            string? raiseError = await RaiseFencesAsync(resource, results, token, timeout).ConfigureAwait(false);
            if (raiseError is null)
            {
                return new BackendResult(BackendOutcome.Done, token);
            }

            results = [BackendResult.Fail(raiseError)];
        }

        // No majority: undo on every master, also those that have not answered yet. A late grant would otherwise
        // stay until its lease ends, and a few of those from different owners block every majority. The delete
        // goes out on the same connection after the acquisition, so the server applies it after a late grant.
        // Awaited with the short per-master timeout: the attempt is over once every live master has undone it.
        await UndoAsync(resource, owner, timeout).ConfigureAwait(false);
        return Combine(results, "acquire");
    }

    public override async Task<BackendResult> TryExtendAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        TimeSpan timeout = ShortTimeout(lease);
        BackendResult[] results = await GatherAsync(server => server.ExtendAsync(resource, owner, lease, timeout)).ConfigureAwait(false);
        return Combine(results, "extend");
    }

    public override Task<BackendResult> ReleaseAsync(string resource, string owner, CancellationToken cancellationToken) =>
        UndoAsync(resource, owner, _operationTimeout);

    /// <summary>Deletes the lock on every master, not just a majority: one that granted late must not keep it until its lease ends.</summary>
    private async Task<BackendResult> UndoAsync(string resource, string owner, TimeSpan timeout)
    {
        var attempts = new Task<BackendResult>[_servers.Length];
        for (int i = 0; i < _servers.Length; i++)
        {
            attempts[i] = _servers[i].ReleaseAsync(resource, owner, timeout);
        }

        BackendResult[] results = await Task.WhenAll(attempts).ConfigureAwait(false);
        foreach (BackendResult result in results)
        {
            if (result.Outcome == BackendOutcome.Done)
            {
                return result;
            }
        }

        return Combine(results, "release");
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (RedisLockServer server in _servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        _sockets.Dispose();
    }

    /// <summary>Per-master timeout for acquisition and renewal: the smaller of the operation timeout and lease/10.</summary>
    private TimeSpan ShortTimeout(TimeSpan lease)
    {
        TimeSpan tenth = lease / 10;
        return tenth < _operationTimeout ? tenth : _operationTimeout;
    }

    /// <summary>
    /// Runs <paramref name="call"/> on every master and returns as soon as the majority is decided: a quorum
    /// agreed, or too many refused or failed for one. A slow or dead master then costs nothing; its answer,
    /// still in flight, reads as failed. Results are in master order.
    /// </summary>
    private async Task<BackendResult[]> GatherAsync(Func<RedisLockServer, Task<BackendResult>> call)
    {
        var gathering = new Gathering(_servers.Length, _quorum);
        for (int i = 0; i < _servers.Length; i++)
        {
            // Counted on the thread that completes each call: one wake-up of the caller once the majority is decided,
            // instead of one per answer.
            _ = call(_servers[i]).ContinueWith(Gathering.OnAnswer, (gathering, i), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        await gathering.Decided.ConfigureAwait(false);
        return gathering.Snapshot(_servers);
    }

    /// <summary>
    /// Writes <paramref name="token"/> to the masters that granted a smaller one. Every later majority must
    /// meet a master holding at least the token, so enough of them must have it: N − quorum + 1.
    /// </summary>
    private async Task<string?> RaiseFencesAsync(string resource, BackendResult[] results, long token, TimeSpan timeout)
    {
        int holding = 0;
        List<Task<BackendResult>>? raises = null;
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i].Outcome != BackendOutcome.Done)
            {
                continue;
            }

            if (results[i].Token == token)
            {
                holding++;
            }
            else
            {
                (raises ??= []).Add(_servers[i].RaiseFenceAsync(resource, token, timeout));
            }
        }

        if (raises is not null)
        {
            foreach (BackendResult raised in await Task.WhenAll(raises).ConfigureAwait(false))
            {
                holding += raised.Outcome == BackendOutcome.Done ? 1 : 0;
            }
        }

        int needed = _servers.Length - _quorum + 1;
        return holding >= needed ? null : $"the fencing token reached {holding} of the {needed} masters it must be on";
    }

    private BackendResult Combine(BackendResult[] results, string operation)
    {
        int done = 0;
        int notOwner = 0;
        var errors = new StringBuilder();
        foreach (BackendResult result in results)
        {
            switch (result.Outcome)
            {
                case BackendOutcome.Done:
                    done++;
                    break;
                case BackendOutcome.NotOwner:
                    notOwner++;
                    break;
                default:
                    errors.Append(errors.Length == 0 ? string.Empty : "; ").Append(result.Error);
                    break;
            }
        }

        if (done >= _quorum)
        {
            return new BackendResult(BackendOutcome.Done);
        }

        // A majority can no longer be reached while the others keep what they have.
        if (notOwner > _servers.Length - _quorum)
        {
            return BackendResult.NotOwner;
        }

        return BackendResult.Fail($"no majority to {operation} ({done} of {_servers.Length} agreed, {_quorum} needed; {notOwner} held by another owner{(errors.Length > 0 ? "; " + errors : string.Empty)})");
    }

    /// <summary>The answers of one parallel call, and the moment the majority is decided.</summary>
    private sealed class Gathering(int servers, int quorum)
    {
        private readonly int _servers = servers;
        private readonly int _quorum = quorum;
        private readonly BackendResult?[] _results = new BackendResult?[servers];
        private readonly TaskCompletionSource _decided = new();
        private int _agreed;
        private int _other;

        public Task Decided => _decided.Task;

        public static void OnAnswer(Task<BackendResult> call, object? state)
        {
            (Gathering gathering, int index) = ((Gathering, int))state!;
            BackendResult result = call.IsCompletedSuccessfully ? call.Result : BackendResult.Fail(call.Exception?.InnerException?.Message ?? "cancelled");
            lock (gathering._results)
            {
                gathering._results[index] = result;
            }

            // Each answer counts once; whichever answer decides the majority (or is the last) completes the wait.
            bool decided = result.Outcome == BackendOutcome.Done
                ? Interlocked.Increment(ref gathering._agreed) >= gathering._quorum
                : Interlocked.Increment(ref gathering._other) > gathering._servers - gathering._quorum;
            if (decided || Volatile.Read(ref gathering._agreed) + Volatile.Read(ref gathering._other) == gathering._servers)
            {
                gathering._decided.TrySetResult();
            }
        }

        public BackendResult[] Snapshot(RedisLockServer[] names)
        {
            var copy = new BackendResult[names.Length];
            lock (_results)
            {
                for (int i = 0; i < copy.Length; i++)
                {
                    copy[i] = _results[i] ?? BackendResult.Fail($"Redis {names[i].Name}: no answer before the majority was decided");
                }
            }

            return copy;
        }
    }
}
