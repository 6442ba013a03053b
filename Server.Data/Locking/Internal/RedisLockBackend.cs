namespace Realm.Data.Locking.Internal;

/// <summary>Locks on one Redis server.</summary>
internal sealed class RedisLockBackend : LockBackend
{
    private readonly RedisLockServer _server;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public RedisLockBackend(RedisLockServer server, LockOptions options)
    {
        _server = server;
        _timeout = options.OperationTimeout;
        _time = options.TimeProvider;
    }

    public override string Name => $"redis {_server.Name}";

    public override Task<BackendResult> TryAcquireAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        _server.AcquireAsync(resource, owner, lease, FenceFloor.Now(_time), _timeout);

    public override Task<BackendResult> TryExtendAsync(string resource, string owner, TimeSpan lease, CancellationToken cancellationToken) =>
        _server.ExtendAsync(resource, owner, lease, _timeout);

    public override Task<BackendResult> ReleaseAsync(string resource, string owner, CancellationToken cancellationToken) =>
        _server.ReleaseAsync(resource, owner, _timeout);

    public override ValueTask DisposeAsync() => _server.DisposeAsync();
}
