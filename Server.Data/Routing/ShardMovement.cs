namespace Realm.Data.Routing;

/// <summary>What resharding from one layout to another does to a key set: the share that moves, and the balance after.</summary>
/// <param name="Keys">Keys measured (0 … Keys − 1, each hashed with <see cref="StableHash.Hash(long)"/>).</param>
/// <param name="Moved">Keys whose shard changed.</param>
/// <param name="MaxOverMean">Largest shard's keys ÷ the mean, after (1.0 is perfect).</param>
/// <param name="CoefficientOfVariation">Standard deviation ÷ mean of the keys per shard, after.</param>
public readonly record struct ShardMovement(long Keys, long Moved, double MaxOverMean, double CoefficientOfVariation)
{
    /// <summary>Moved ÷ keys.</summary>
    public double MovedFraction => Keys == 0 ? 0 : Moved / (double)Keys;

    /// <summary>Routes <paramref name="keys"/> keys with both strategies and compares.</summary>
    public static ShardMovement Measure(IShardStrategy from, IShardStrategy to, long keys)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var counts = new long[to.Shards];
        long moved = 0;
        for (long key = 0; key < keys; key++)
        {
            ulong hash = StableHash.Hash(key);
            int after = to.ShardOf(hash);
            counts[after]++;
            if (from.ShardOf(hash) != after)
            {
                moved++;
            }
        }

        double mean = keys / (double)to.Shards;
        double variance = counts.Sum(c => (c - mean) * (c - mean)) / to.Shards;
        return new ShardMovement(keys, moved, counts.Max() / mean, Math.Sqrt(variance) / mean);
    }
}
