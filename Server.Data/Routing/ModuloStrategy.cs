namespace Realm.Data.Routing;

/// <summary>
/// <c>hash mod N</c>: perfectly even, but going from N to N + 1 shards moves N/(N+1) of all keys (80 % at
/// 4 → 5). The baseline the other strategies are measured against.
/// </summary>
public sealed class ModuloStrategy : IShardStrategy
{
    /// <param name="shards">1 or more.</param>
    public ModuloStrategy(int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        Shards = shards;
    }

    /// <inheritdoc/>
    public string Name => "modulo";

    /// <inheritdoc/>
    public int Shards { get; }

    /// <inheritdoc/>
    public int ShardOf(ulong hash) => (int)(hash % (ulong)Shards);
}
