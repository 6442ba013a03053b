using Realm.Data.Routing;
using Realm.Data.Schema;

namespace Realm.Data.Sharding;

/// <summary>
/// The shards of one deployment: a <see cref="ShardRouter"/> (key → logical shard → pool name) and, for
/// every pool the router names, the <see cref="ReplicaSet"/> whose primary is that pool.
/// </summary>
/// <remarks>Immutable and thread-safe. The sets and pools are not owned.</remarks>
public sealed class ShardCluster
{
    private readonly Dictionary<string, ReplicaSet> _byPool;
    private readonly ReplicaSet[] _sets;

    /// <exception cref="ArgumentException">A pool the router names has no set, or two sets share a primary.</exception>
    public ShardCluster(ShardRouter router, IEnumerable<ReplicaSet> sets)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(sets);
        Router = router;
        _byPool = new Dictionary<string, ReplicaSet>(StringComparer.Ordinal);
        foreach (ReplicaSet set in sets)
        {
            if (!_byPool.TryAdd(set.Primary.Name, set))
            {
                ThrowHelper.ThrowArgument(nameof(sets), $"two replica sets have the primary \"{set.Primary.Name}\"");
            }
        }

        var used = new List<ReplicaSet>();
        foreach (string pool in router.Pools)
        {
            if (!_byPool.TryGetValue(pool, out ReplicaSet? set))
            {
                ThrowHelper.ThrowArgument(nameof(sets), $"the router sends keys to pool \"{pool}\" but no replica set has it as primary; sets: {string.Join(", ", _byPool.Keys)}");
            }

            used.Add(set);
        }

        _sets = [.. used];
    }

    /// <summary>Key → logical shard → pool.</summary>
    public ShardRouter Router { get; }

    /// <summary>The physical shards the router uses, one set per database server, in the router's order.</summary>
    public IReadOnlyList<ReplicaSet> Sets => _sets;

    /// <summary>The set holding <paramref name="key"/>; completes at once unless the router needs a directory lookup.</summary>
    public ValueTask<ReplicaSet> SetOfAsync(long key, CancellationToken cancellationToken = default)
    {
        ValueTask<string> pool = Router.PoolOfAsync(key, cancellationToken);
        return pool.IsCompletedSuccessfully ? new ValueTask<ReplicaSet>(_byPool[pool.Result]) : AwaitSetAsync(pool);
    }

    /// <summary>Applies <see cref="DataSchema"/> on every shard's primary, in parallel; returns the migrations run in all.</summary>
    public async Task<int> ApplySchemaAsync(CancellationToken cancellationToken = default)
    {
        int[] applied = await Task.WhenAll(_sets.Select(s => DataSchema.ApplyAsync(s.Primary, cancellationToken))).ConfigureAwait(false);
        return applied.Sum();
    }

    private async ValueTask<ReplicaSet> AwaitSetAsync(ValueTask<string> pool) => _byPool[await pool.ConfigureAwait(false)];
}
