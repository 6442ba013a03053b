using System.Data.Common;
using Realm.Data.Caching;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Schema;

namespace Realm.Data.Sharding;

/// <summary>
/// Players and their items on shards: each player (and each item, by its owner) lives on the shard the
/// cluster's router picks. Player reads go through a read-through cache and then to the shard's replicas;
/// writes go to the shard's primary and invalidate the cache.
/// </summary>
/// <remarks>
/// <para>
/// Read-your-writes: after every write the repository keeps the shard's write position (GTID on MariaDB),
/// and its replica reads wait for it (<see cref="ReplicaSet.AcquireReadAsync"/>) — so a player loaded
/// after a save never comes back older than that save, from the cache or from a lagging replica. A load
/// that was already running when a write invalidated the key is not cached.
/// </para>
/// <para>
/// The cache is this process's: another server's writes to the same player show once the entry expires.
/// That is safe for owned players — only the owner (one server, <see cref="PlayerOwnership"/>) writes
/// them, and its saves are fenced — and bounded by the cache's time to live for everyone else.
/// </para>
/// <para>Thread-safe; every call leases its own connection. Database errors propagate.</para>
/// </remarks>
public sealed class PlayerRepository : IPlayerStore
{
    private readonly ShardCluster _cluster;
    private readonly Dictionary<ReplicaSet, Shard> _shards;
    private readonly ShardedLruCache<long, PlayerRecord?> _cache;
    private readonly Func<long, PlayerRepository, CancellationToken, ValueTask<PlayerRecord?>> _loader;
    private readonly NamedQuery _insertItem;
    private readonly NamedQuery _byOwner;
    private readonly NamedQuery _recent;
    private readonly NamedQuery _recentBefore;
    private readonly TimeProvider _time;

    /// <summary>A repository over <paramref name="cluster"/>'s shards (schema applied: <see cref="ShardCluster.ApplySchemaAsync"/>).</summary>
    /// <param name="cluster">The shards.</param>
    /// <param name="queries">A catalog with the <see cref="DataQueries"/>.</param>
    /// <param name="cache">The player cache's settings (default: 50,000 players, 60 s).</param>
    /// <param name="time">The clock of the rows' timestamps.</param>
    public PlayerRepository(ShardCluster cluster, QueryCatalog queries, CacheOptions? cache = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(queries);
        _cluster = cluster;
        _time = time ?? TimeProvider.System;
        _shards = cluster.Sets.ToDictionary(s => s, s => new Shard(s, new PlayerStore(s.Primary, queries, _time)));
        _cache = new ShardedLruCache<long, PlayerRecord?>(cache ?? new CacheOptions { Capacity = 50_000, DefaultTimeToLive = TimeSpan.FromSeconds(60) }, "players");
        _loader = static (id, repository, ct) => repository.ReadAsync(id, ct);
        _insertItem = queries.Get(DataQueries.ItemInsert);
        _byOwner = queries.Get(DataQueries.ItemsByOwner);
        _recent = queries.Get(DataQueries.ItemsRecent);
        _recentBefore = queries.Get(DataQueries.ItemsRecentBefore);
    }

    /// <summary>The shards.</summary>
    public ShardCluster Cluster => _cluster;

    /// <summary>The player cache's counters.</summary>
    public CacheStatistics CacheStatistics => _cache.Statistics;

    /// <summary>
    /// The player, from the cache or its shard (a replica when one has the repository's writes); null when
    /// it does not exist. A cache hit completes at once without allocating.
    /// </summary>
    public ValueTask<PlayerRecord?> LoadAsync(long playerId, CancellationToken cancellationToken = default) =>
        _cache.GetOrAddAsync(playerId, _loader, this, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public Task<PlayerRecord?> ClaimAsync(long playerId, string name, long fence, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        return WriteOnShardAsync(playerId, playerId, static (lease, store, claim, ct) => store.ClaimOnAsync(lease, claim.playerId, claim.name, claim.fence, ct), (playerId, name, fence), cancellationToken);
    }

    /// <inheritdoc/>
    public Task<bool> SaveAsync(long playerId, PlayerState state, long fence, CancellationToken cancellationToken = default) =>
        WriteOnShardAsync(playerId, playerId, static (lease, store, save, ct) => store.SaveOnAsync(lease, save.playerId, save.state, save.fence, ct), (playerId, state, fence), cancellationToken);

    /// <summary>Adds an item on its owner's shard.</summary>
    public Task AddItemAsync(ItemRecord item, CancellationToken cancellationToken = default) =>
        WriteOnShardAsync(item.OwnerId, null, (lease, _, row, ct) => lease.Command(_insertItem)
            .Set(0, row.ItemId).Set(1, row.OwnerId).Set(2, row.Kind).Set(3, row.Quantity).Set(4, row.CreatedAt)
            .ExecuteNonQueryAsync(ct), item, cancellationToken);

    /// <summary>A player's items by id, from the owner's shard (a replica when one has the repository's writes).</summary>
    public async Task<IReadOnlyList<ItemRecord>> ItemsOfAsync(long ownerId, CancellationToken cancellationToken = default)
    {
        Shard shard = await ShardOfAsync(ownerId, cancellationToken).ConfigureAwait(false);
        return await ReadOnShardAsync(shard, static (lease, owner, query, ct) => ReadItemsAsync(lease.Command(query).Set(0, owner), 0, ct), ownerId, _byOwner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One page of the newest items across every shard, newest first by <c>(created_at, item_id)</c>:
    /// scatter-gather — every shard is asked in parallel for its first <paramref name="limit"/> + 1 items after
    /// <paramref name="after"/>, and the sorted answers are merged (k-way). The pages are exactly those of the
    /// same query on one database holding every shard's items.
    /// </summary>
    /// <param name="limit">Page size, 1 to 1,000.</param>
    /// <param name="after">The previous page's <see cref="ItemPage.Next"/>; null for the first page.</param>
    /// <param name="cancellationToken">Cancels every shard's query.</param>
    public async Task<ItemPage> RecentItemsAsync(int limit, ItemCursor? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 1_000);
        IReadOnlyList<ReplicaSet> sets = _cluster.Sets;
        var perShard = new Task<List<ItemRecord>>[sets.Count];
        for (int i = 0; i < perShard.Length; i++)
        {
            perShard[i] = ReadOnShardAsync(_shards[sets[i]], static (lease, page, repository, ct) => repository.RecentOnAsync(lease, page.Limit, page.After, ct), (Limit: limit + 1, After: after), this, cancellationToken);
        }

        List<ItemRecord>[] answers = await Task.WhenAll(perShard).ConfigureAwait(false);
        var merged = new List<ItemRecord>(limit);
        bool more = MergeNewestFirst(answers, merged, limit);
        return new ItemPage(merged, more ? new ItemCursor(merged[^1].CreatedAt, merged[^1].ItemId) : null);
    }

    /// <summary>
    /// Merges shards' item lists, each newest first, into <paramref name="page"/> (at most <paramref name="limit"/>
    /// items); true when items are left over. A heap of each list's head: O(limit × log shards).
    /// </summary>
    internal static bool MergeNewestFirst(IReadOnlyList<List<ItemRecord>> lists, List<ItemRecord> page, int limit)
    {
        var heads = new PriorityQueue<int, (long At, long Id)>(lists.Count, NewestFirst.Instance);
        var next = new int[lists.Count];
        for (int i = 0; i < lists.Count; i++)
        {
            if (lists[i].Count > 0)
            {
                heads.Enqueue(i, (lists[i][0].CreatedAt, lists[i][0].ItemId));
            }
        }

        while (heads.TryDequeue(out int list, out _))
        {
            if (page.Count == limit)
            {
                return true;
            }

            page.Add(lists[list][next[list]]);
            if (++next[list] < lists[list].Count)
            {
                ItemRecord head = lists[list][next[list]];
                heads.Enqueue(list, (head.CreatedAt, head.ItemId));
            }
        }

        return false;
    }

    private async Task<List<ItemRecord>> RecentOnAsync(PooledConnection lease, int limit, ItemCursor? after, CancellationToken cancellationToken)
    {
        QueryCommand command = after is { } cursor
            ? lease.Command(_recentBefore).Set(0, cursor.CreatedAt).Set(1, cursor.ItemId).Set(2, limit)
            : lease.Command(_recent).Set(0, limit);
        return await ReadItemsAsync(command, limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The rows of an item query (every one selects item_id, owner_id, kind, quantity, created_at).</summary>
    private static async Task<List<ItemRecord>> ReadItemsAsync(QueryCommand command, int capacity, CancellationToken cancellationToken)
    {
        var items = new List<ItemRecord>(capacity);
        DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new ItemRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4)));
            }
        }

        return items;
    }

    private async ValueTask<PlayerRecord?> ReadAsync(long playerId, CancellationToken cancellationToken)
    {
        Shard shard = await ShardOfAsync(playerId, cancellationToken).ConfigureAwait(false);
        return await ReadOnShardAsync(shard, static (lease, id, store, ct) => store.ReadOnAsync(lease, id, ct), playerId, shard.Store, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a read on a replica of <paramref name="shard"/> that has the repository's writes (or its primary);
    /// a replica that fails during the read is marked broken and the read runs again on the primary. After a
    /// write whose position was lost, reads go to the primary, and the first one re-learns the position there.
    /// </summary>
    private static async Task<TResult> ReadOnShardAsync<TArg, TState, TResult>(
        Shard shard,
        Func<PooledConnection, TArg, TState, CancellationToken, Task<TResult>> read,
        TArg argument,
        TState state,
        CancellationToken cancellationToken)
    {
        if (shard.Written is { } written)
        {
            ReplicaLease lease = await shard.Set.AcquireReadAsync(written, cancellationToken).ConfigureAwait(false);
            await using (lease.ConfigureAwait(false))
            {
                try
                {
                    return await read(lease.Connection, argument, state, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (lease.FromReplica && DbCommands.IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
                {
                    lease.Connection.MarkBroken();
                }
            }
        }

        PooledConnection primary = await shard.Set.Primary.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (primary.ConfigureAwait(false))
        {
            bool unknown = shard.Written is null;
            TResult result = await read(primary, argument, state, cancellationToken).ConfigureAwait(false);
            if (unknown)
            {
                // Everything committed by now includes the write whose position was lost: replicas may serve again.
                shard.Recover(await shard.Set.CommittedAsync(primary, cancellationToken).ConfigureAwait(false));
            }

            return result;
        }
    }

    /// <summary>
    /// Runs a write on the primary of <paramref name="routeKey"/>'s shard; afterwards (even when it failed)
    /// records the shard's write position and drops <paramref name="playerId"/>'s cached row.
    /// </summary>
    private async Task<TResult> WriteOnShardAsync<TArg, TResult>(
        long routeKey,
        long? playerId,
        Func<PooledConnection, PlayerStore, TArg, CancellationToken, Task<TResult>> write,
        TArg argument,
        CancellationToken cancellationToken)
    {
        Shard shard = await ShardOfAsync(routeKey, cancellationToken).ConfigureAwait(false);
        PooledConnection lease = await shard.Set.Primary.AcquireAsync(cancellationToken).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            try
            {
                return await write(lease, shard.Store, argument, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await WroteAsync(shard, lease, playerId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After a write on <paramref name="lease"/> (committed or not): records the shard's write position and drops the cached player.</summary>
    private async Task WroteAsync(Shard shard, PooledConnection lease, long? playerId)
    {
        try
        {
            shard.Record(await shard.Set.WrittenAsync(lease, CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e) when (DbCommands.IsConnectionFailure(e))
        {
            // The connection died with the write: its position is unknown, so until the next write every
            // read of this shard goes where it is sure to be current.
            lease.MarkBroken();
            shard.ForcePrimary();
        }
        finally
        {
            if (playerId is { } id)
            {
                _cache.Remove(id);
            }
        }
    }

    private async ValueTask<Shard> ShardOfAsync(long key, CancellationToken cancellationToken)
    {
        ValueTask<ReplicaSet> set = _cluster.SetOfAsync(key, cancellationToken);
        return _shards[set.IsCompletedSuccessfully ? set.Result : await set.ConfigureAwait(false)];
    }

    /// <summary>One physical shard: its set, its player store and the latest position this repository wrote there.</summary>
    private sealed class Shard(ReplicaSet set, PlayerStore store)
    {
        private GtidPosition _written = GtidPosition.Empty;
        private volatile bool _unknown; // a write's position could not be read: only the primary is sure to have it

        public ReplicaSet Set { get; } = set;

        public PlayerStore Store { get; } = store;

        /// <summary>What a replica must have applied to serve this repository's reads; null: only the primary will do.</summary>
        public GtidPosition? Written => _unknown ? null : Volatile.Read(ref _written);

        /// <summary>A write's own position. It does not end <see cref="ForcePrimary"/>: a concurrent write may have committed before the lost one.</summary>
        public void Record(GtidPosition position) => GtidPosition.MergeInto(ref _written, position);

        /// <summary>The primary's whole committed position, read after a lost one: it covers that write, so replicas may serve again.</summary>
        public void Recover(GtidPosition committed)
        {
            GtidPosition.MergeInto(ref _written, committed);
            _unknown = false;
        }

        public void ForcePrimary() => _unknown = true;
    }

    private sealed class NewestFirst : IComparer<(long At, long Id)>
    {
        public static readonly NewestFirst Instance = new();

        public int Compare((long At, long Id) x, (long At, long Id) y)
        {
            int byTime = y.At.CompareTo(x.At);
            return byTime != 0 ? byTime : y.Id.CompareTo(x.Id);
        }
    }
}
