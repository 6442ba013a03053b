using System.Data.Common;
using Realm.Data.Pooling;
using Realm.Data.Queries;
using Realm.Data.Schema;

namespace Realm.Data.Ownership;

/// <summary>
/// The <c>players</c> table through the named queries, with every write guarded by a fencing token:
/// the database, not the caller, decides whether a writer is still the owner.
/// </summary>
/// <remarks>Thread-safe (each call leases its own connection). Database errors propagate as <see cref="DbException"/>
/// or the pool's exceptions; nothing is swallowed.</remarks>
public sealed class PlayerStore : IPlayerStore
{
    private readonly ConnectionPool _pool;
    private readonly NamedQuery _create;
    private readonly NamedQuery _claim;
    private readonly NamedQuery _load;
    private readonly NamedQuery _save;
    private readonly TimeProvider _time;

    /// <summary>Uses <paramref name="pool"/> (schema applied) and the <see cref="DataQueries"/> in <paramref name="queries"/>.</summary>
    public PlayerStore(ConnectionPool pool, QueryCatalog queries, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(queries);
        _pool = pool;
        _create = queries.Get(DataQueries.PlayerCreate);
        _claim = queries.Get(DataQueries.PlayerClaim);
        _load = queries.Get(DataQueries.PlayerLoad);
        _save = queries.Get(DataQueries.PlayerSave);
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async Task<PlayerRecord?> ClaimAsync(long playerId, string name, long fence, CancellationToken cancellationToken = default)
    {
        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            return await ClaimOnAsync(lease, playerId, name, fence, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async Task<bool> SaveAsync(long playerId, PlayerState state, long fence, CancellationToken cancellationToken = default)
    {
        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            return await SaveOnAsync(lease, playerId, state, fence, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<PlayerRecord?> LoadAsync(long playerId, CancellationToken cancellationToken = default)
    {
        PooledConnection lease = await _pool.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            return await ReadOnAsync(lease, playerId, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><see cref="ClaimAsync"/> on a connection the caller leased (a shard's primary).</summary>
    internal async Task<PlayerRecord?> ClaimOnAsync(PooledConnection lease, long playerId, string name, long fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        await lease.Command(_create).Set(0, playerId).Set(1, name).Set(2, Now()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        int claimed = await lease.Command(_claim).Set(0, playerId).Set(1, fence).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (claimed == 0)
        {
            return null;
        }

        return await ReadOnAsync(lease, playerId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"player {playerId} was claimed but cannot be read back");
    }

    /// <summary><see cref="SaveAsync"/> on a connection the caller leased (a shard's primary).</summary>
    internal async Task<bool> SaveOnAsync(PooledConnection lease, long playerId, PlayerState state, long fence, CancellationToken cancellationToken)
    {
        int rows = await lease.Command(_save)
            .Set("@id", playerId).Set("@zone", state.Zone).Set("@x", state.X).Set("@y", state.Y)
            .Set("@gold", state.Gold).Set("@fence", fence).Set("@now", Now())
            .ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Reads the row on a connection the caller leased (a primary's or a replica's).</summary>
    internal async Task<PlayerRecord?> ReadOnAsync(PooledConnection lease, long playerId, CancellationToken cancellationToken)
    {
        DbDataReader reader = await lease.Command(_load).Set(0, playerId).ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            return new PlayerRecord(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt64(5), reader.GetInt64(6));
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
