namespace Realm.Data.Routing;

/// <summary>How a key's stable hash picks one of <see cref="Shards"/> logical shards.</summary>
/// <remarks>Implementations are immutable, thread-safe and allocation-free per call.</remarks>
public interface IShardStrategy
{
    /// <summary>Its name in reports: <c>modulo</c>, <c>jump</c>, <c>ring</c>.</summary>
    string Name { get; }

    /// <summary>Logical shards, numbered from 0.</summary>
    int Shards { get; }

    /// <summary>The shard for a key whose <see cref="StableHash"/> is <paramref name="hash"/>.</summary>
    int ShardOf(ulong hash);
}
