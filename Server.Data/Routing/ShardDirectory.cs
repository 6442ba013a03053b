using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Realm.Data.Caching;
using Realm.Data.Pooling;
using Realm.Data.Queries;
using Realm.Data.Schema;

namespace Realm.Data.Routing;

/// <summary>
/// Directory routing: each key's logical shard is a row of <c>shard_directory</c> in a global database,
/// read through a cache. A key the directory has not seen is placed by a default strategy and recorded,
/// so it keeps its shard when the shard count grows (new keys spread over the new count), and a single
/// hot key can be moved to a shard of its own with <see cref="MoveAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// Placement is race-free across servers: the row is inserted only if absent and then read back, so
/// every server uses whichever placement reached the database first.
/// </para>
/// <para>
/// The cache is this process's: <see cref="MoveAsync"/> invalidates it here; other servers see a move
/// when their entry expires (<see cref="CacheOptions.DefaultTimeToLive"/>), so a move must copy the
/// key's data first and keep the old copy readable until then. Thread-safe.
/// </para>
/// </remarks>
public sealed class ShardDirectory
{
    private readonly ConnectionPool _global;
    private readonly NamedQuery _get;
    private readonly NamedQuery _place;
    private readonly NamedQuery _move;
    private readonly ShardedLruCache<long, int> _cache;
    private readonly Func<long, ShardDirectory, CancellationToken, ValueTask<int>> _loader;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private long _placed;

    /// <summary>A directory in <paramref name="global"/> (schema applied) whose new keys <paramref name="placement"/> places.</summary>
    /// <param name="global">The global database holding <c>shard_directory</c>.</param>
    /// <param name="queries">A catalog with the <see cref="DataQueries"/>.</param>
    /// <param name="placement">Places keys the directory has not seen; its shard count is the directory's.</param>
    /// <param name="cache">The key → shard cache's settings (default: 100,000 keys, 5 min).</param>
    /// <param name="logger">Placements (debug level).</param>
    /// <param name="time">The clock of the rows' <c>updated_at</c>.</param>
    public ShardDirectory(ConnectionPool global, QueryCatalog queries, IShardStrategy placement, CacheOptions? cache = null, ILogger? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(placement);
        _global = global;
        _get = queries.Get(DataQueries.DirectoryGet);
        _place = queries.Get(DataQueries.DirectoryPlace);
        _move = queries.Get(DataQueries.DirectoryMove);
        Placement = placement;
        _cache = new ShardedLruCache<long, int>(cache ?? new CacheOptions { Capacity = 100_000, DefaultTimeToLive = TimeSpan.FromMinutes(5) }, "shard-directory");
        _loader = static (key, directory, ct) => directory.LoadOrPlaceAsync(key, ct);
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Places keys the directory has not seen.</summary>
    public IShardStrategy Placement { get; }

    /// <summary>Logical shards (the placement strategy's).</summary>
    public int Shards => Placement.Shards;

    /// <summary>The key → shard cache (hits, misses, loads).</summary>
    public CacheStatistics CacheStatistics => _cache.Statistics;

    /// <summary>Keys this process placed (recorded as new rows).</summary>
    public long Placed => Interlocked.Read(ref _placed);

    /// <summary>The key's shard from the cache alone: allocation-free; false on a miss.</summary>
    public bool TryGetCached(long key, out int shard) => _cache.TryGet(key, out shard);

    /// <summary>The key's logical shard: from the cache, else the directory, else placed now and recorded.</summary>
    /// <exception cref="InvalidOperationException">The directory maps the key to a shard this directory does not have.</exception>
    public ValueTask<int> ShardOfAsync(long key, CancellationToken cancellationToken = default) =>
        _cache.GetOrAddAsync(key, _loader, this, cancellationToken: cancellationToken);

    /// <summary>
    /// Maps <paramref name="key"/> to <paramref name="shard"/> (recording it if the key was never placed)
    /// and drops the cached entry. Copy the key's data to the new shard before calling this.
    /// </summary>
    public async Task MoveAsync(long key, int shard, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, Shards);
        PooledConnection lease = await _global.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            int rows = await lease.Command(_move).Set(0, key).Set(1, shard).Set(2, Now()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (rows == 0 && await PlaceAsync(lease, key, shard, cancellationToken).ConfigureAwait(false) is not null)
            {
                // Placed by another server in between: move that row.
                await lease.Command(_move).Set(0, key).Set(1, shard).Set(2, Now()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        _cache.Remove(key);
    }

    private async ValueTask<int> LoadOrPlaceAsync(long key, CancellationToken cancellationToken)
    {
        PooledConnection lease = await _global.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            if (await ReadAsync(lease, key, cancellationToken).ConfigureAwait(false) is { } mapped)
            {
                return mapped;
            }

            int placed = Placement.ShardOf(StableHash.Hash(key));
            if (await PlaceAsync(lease, key, placed, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return existing; // another server placed it between the read and the insert: its row wins
            }

            if (_logger.IsEnabled(LogLevel.Debug))
            {
                RoutingLog.Placed(_logger, key, placed, Placement.Name);
            }

            return placed;
        }
    }

    /// <summary>
    /// Inserts the key's row. Null when it did; the shard of the row already there when the key had one (the
    /// insert's duplicate-key error is then expected, and the row is read once).
    /// </summary>
    private async Task<int?> PlaceAsync(PooledConnection lease, long key, int shard, CancellationToken cancellationToken)
    {
        try
        {
            await lease.Command(_place).Set(0, key).Set(1, shard).Set(2, Now()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _placed);
            return null;
        }
        catch (DbException)
        {
            if (await ReadAsync(lease, key, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return existing;
            }

            throw; // no row is there, so it was not a duplicate key: the insert's own error stands
        }
    }

    private async Task<int?> ReadAsync(PooledConnection lease, long key, CancellationToken cancellationToken)
    {
        object? value = await lease.Command(_get).Set(0, key).ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (value is null or DBNull)
        {
            return null;
        }

        int shard = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        if ((uint)shard >= (uint)Shards)
        {
            throw new InvalidOperationException($"shard directory: key {key} is mapped to logical shard {shard}, but there are {Shards} (0..{Shards - 1}); fix the row or the shard count");
        }

        return shard;
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
