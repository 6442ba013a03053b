using System.Text;

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

    public RedlockBackend(RedisLockServer[] servers, LockOptions options)
    {
        _servers = servers;
        _quorum = LockValidity.Quorum(servers.Length);
        _operationTimeout = options.OperationTimeout;
        Name = $"redlock({servers.Length}) {string.Join(",", servers.Select(s => s.Name))}";
    }

    public override string Name { get; }

    public override async Task<BackendResult> TryAcquireAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        TimeSpan timeout = AcquireTimeout(lease);
        var attempts = new Task<BackendResult>[_servers.Length];
        for (int i = 0; i < _servers.Length; i++)
        {
            attempts[i] = _servers[i].AcquireAsync(resource, owner, lease, timeout);
        }

        BackendResult[] results = await Task.WhenAll(attempts).ConfigureAwait(false);
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

            await ReleaseAsync(resource, owner, CancellationToken.None).ConfigureAwait(false);
            return BackendResult.Fail(raiseError);
        }

        // No majority: undo the minority that granted it, so it does not block others until the lease ends.
        if (granted > 0)
        {
            await ReleaseAsync(resource, owner, CancellationToken.None).ConfigureAwait(false);
        }

        return Combine(results, "acquire");
    }

    public override async Task<BackendResult> TryExtendAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        var attempts = new Task<BackendResult>[_servers.Length];
        for (int i = 0; i < _servers.Length; i++)
        {
            attempts[i] = _servers[i].ExtendAsync(resource, owner, lease, _operationTimeout);
        }

        BackendResult[] results = await Task.WhenAll(attempts).ConfigureAwait(false);
        return Combine(results, "extend");
    }

    public override async Task<BackendResult> ReleaseAsync(string resource, string owner, CancellationToken cancellationToken)
    {
        var attempts = new Task<BackendResult>[_servers.Length];
        for (int i = 0; i < _servers.Length; i++)
        {
            attempts[i] = _servers[i].ReleaseAsync(resource, owner, _operationTimeout);
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
    }

    private TimeSpan AcquireTimeout(TimeSpan lease)
    {
        TimeSpan tenth = lease / 10;
        return tenth < _operationTimeout ? tenth : _operationTimeout;
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
}
