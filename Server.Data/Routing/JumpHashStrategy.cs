namespace Realm.Data.Routing;

/// <summary>
/// Jump consistent hash (John Lamping and Eric Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm",
/// 2014): going from N to N + 1 shards moves only the 1/(N+1) of keys that must move, balance is near
/// perfect, and it needs no table. Shards can only be added or removed at the end.
/// </summary>
public sealed class JumpHashStrategy : IShardStrategy
{
    /// <param name="shards">1 or more.</param>
    public JumpHashStrategy(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        Shards = shards;
    }

    /// <inheritdoc/>
    public string Name => "jump";

    /// <inheritdoc/>
    public int Shards { get; }

    /// <inheritdoc/>
    public int ShardOf(ulong hash)
    {
        // The paper's loop: a 64-bit linear congruential generator decides at each step how far the key jumps.
        long bucket = -1;
        long next = 0;
        ulong key = hash;
        while (next < Shards)
        {
            bucket = next;
            key = (key * 2862933555777941757UL) + 1;
            next = (long)((bucket + 1) * ((double)(1L << 31) / ((key >> 33) + 1)));
        }

        return (int)bucket;
    }
}
