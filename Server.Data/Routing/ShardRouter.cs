namespace Realm.Data.Routing;

/// <summary>
/// Routes a key to a logical shard (by a strategy over a fixed number of logical shards) and the logical
/// shard to the physical pool that holds it. Several logical shards can share one database server, so
/// capacity grows by moving whole logical shards to a new server — a change of this map — instead of
/// rehashing every key.
/// </summary>
/// <remarks>
/// Immutable and thread-safe; routing is allocation-free. Build a new router to change the map. A router
/// over a <see cref="ShardDirectory"/> routes through <see cref="LogicalShardOfAsync"/> and
/// <see cref="PoolOfAsync"/> only (a key may need a directory lookup).
/// </remarks>
public sealed class ShardRouter
{
    private readonly string[] _pools;

    /// <param name="strategy">Picks the logical shard; its <see cref="IShardStrategy.Shards"/> is the logical shard count.</param>
    /// <param name="pools">For every logical shard, the name of the pool that holds it.</param>
    /// <exception cref="ArgumentException">The map does not cover exactly the strategy's logical shards, or names an empty pool.</exception>
    public ShardRouter(IShardStrategy strategy, IReadOnlyList<string> pools)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(pools);
        if (pools.Count != strategy.Shards)
        {
            ThrowHelper.ThrowArgument(nameof(pools), $"the map names {pools.Count} pool(s) but the {strategy.Name} strategy has {strategy.Shards} logical shards: one pool per logical shard");
        }

        for (int i = 0; i < pools.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(pools[i]))
            {
                ThrowHelper.ThrowArgument(nameof(pools), $"logical shard {i} has no pool");
            }
        }

        Strategy = strategy;
        _pools = [.. pools];
    }

    /// <summary>A router whose keys' logical shards come from <paramref name="directory"/>.</summary>
    /// <param name="directory">Key → logical shard; its placement strategy is this router's <see cref="Strategy"/>.</param>
    /// <param name="pools">For every logical shard, the name of the pool that holds it.</param>
    public ShardRouter(ShardDirectory directory, IReadOnlyList<string> pools)
        : this(directory?.Placement ?? throw new ArgumentNullException(nameof(directory)), pools)
    {
        Directory = directory;
    }

    /// <summary>The directory keys are looked up in, or null when <see cref="Strategy"/> alone decides.</summary>
    public ShardDirectory? Directory { get; }

    /// <summary>The strategy over the logical shards.</summary>
    public IShardStrategy Strategy { get; }

    /// <summary>Logical shards.</summary>
    public int LogicalShards => _pools.Length;

    /// <summary>The distinct pools the map uses, in order of first appearance.</summary>
    public IReadOnlyList<string> Pools => _pools.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The logical shard of <paramref name="key"/>.</summary>
    /// <exception cref="InvalidOperationException">The router uses a directory: use <see cref="LogicalShardOfAsync"/>.</exception>
    public int LogicalShardOf(long key)
    {
        if (Directory is not null)
        {
            ThrowHelper.ThrowInvalidOperation("this router looks keys up in a shard directory: use LogicalShardOfAsync");
        }

        return Strategy.ShardOf(StableHash.Hash(key));
    }

    /// <summary>The pool holding <paramref name="key"/>.</summary>
    /// <exception cref="InvalidOperationException">The router uses a directory: use <see cref="PoolOfAsync"/>.</exception>
    public string PoolOf(long key) => _pools[LogicalShardOf(key)];

    /// <summary>The logical shard of <paramref name="key"/>; completes at once (no allocation) unless a directory lookup is needed.</summary>
    public ValueTask<int> LogicalShardOfAsync(long key, CancellationToken cancellationToken = default) =>
        Directory is null ? new ValueTask<int>(Strategy.ShardOf(StableHash.Hash(key))) : Directory.ShardOfAsync(key, cancellationToken);

    /// <summary>The pool holding <paramref name="key"/>; completes at once unless a directory lookup is needed.</summary>
    public ValueTask<string> PoolOfAsync(long key, CancellationToken cancellationToken = default)
    {
        ValueTask<int> shard = LogicalShardOfAsync(key, cancellationToken);
        return shard.IsCompletedSuccessfully ? new ValueTask<string>(_pools[shard.Result]) : AwaitPoolAsync(shard);
    }

    /// <summary>The pool holding logical shard <paramref name="logicalShard"/>.</summary>
    public string PoolOfShard(int logicalShard) => _pools[logicalShard];

    /// <summary>
    /// A router with the same strategy where logical shard <paramref name="logicalShard"/> lives in
    /// <paramref name="pool"/>: after its data is copied there, only that shard's keys change server.
    /// </summary>
    public ShardRouter WithShardIn(int logicalShard, string pool)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(logicalShard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(logicalShard, _pools.Length);
        string[] pools = [.. _pools];
        pools[logicalShard] = pool;
        return Directory is null ? new ShardRouter(Strategy, pools) : new ShardRouter(Directory, pools);
    }

    private async ValueTask<string> AwaitPoolAsync(ValueTask<int> shard) => _pools[await shard.ConfigureAwait(false)];
}
