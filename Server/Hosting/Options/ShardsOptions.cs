using Microsoft.Extensions.Configuration;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Routing;

namespace Realm.Server.Hosting.Options;

/// <summary>How players are spread over databases.</summary>
internal enum ShardStrategyKind
{
    /// <summary>No sharding: every player is in the <c>main</c> pool's database.</summary>
    None,

    /// <summary><see cref="ModuloStrategy"/>.</summary>
    Modulo,

    /// <summary><see cref="JumpHashStrategy"/>.</summary>
    Jump,

    /// <summary><see cref="RingStrategy"/> (160 virtual nodes).</summary>
    Ring,

    /// <summary><see cref="ShardDirectory"/> in the <c>main</c> pool, new keys placed by <see cref="ShardsOptions.Placement"/>.</summary>
    Directory,
}

/// <summary>
/// Player sharding (configuration section <c>Shards</c>): <c>Strategy</c>, <c>LogicalShards</c>, the shard
/// primaries' pool names in <c>Pools</c> (comma-separated; logical shards are split into equal contiguous
/// blocks over them), and per primary its replica pools (<c>Shards:Replicas:shard_0 = "shard_0_r1,…"</c>).
/// Every name must be a pool of the <c>Pools</c> section; replicas must be MySQL/MariaDB.
/// </summary>
internal sealed class ShardsOptions
{
    public ShardStrategyKind Strategy { get; init; } = ShardStrategyKind.None;

    public int LogicalShards { get; init; } = 16;

    /// <summary>The shard primaries, in order.</summary>
    public IReadOnlyList<string> Pools { get; init; } = [];

    /// <summary>For <see cref="ShardStrategyKind.Directory"/>: the strategy that places new keys.</summary>
    public ShardStrategyKind Placement { get; init; } = ShardStrategyKind.Jump;

    /// <summary>Replica pool names per primary pool name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Replicas { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public int MaxReplicaLagTransactions { get; init; } = 1_000;

    public int ReplicaWaitMs { get; init; } = 500;

    /// <summary>Every replica pool named (their databases get no schema: replication brings it).</summary>
    public IEnumerable<string> ReplicaPools => Replicas.Values.SelectMany(r => r);

    /// <summary>The pool of each logical shard: equal contiguous blocks over <see cref="Pools"/>.</summary>
    public string[] PoolPerLogicalShard() => [.. Enumerable.Range(0, LogicalShards).Select(i => Pools[(int)((long)i * Pools.Count / LogicalShards)])];

    /// <summary>The strategy over the logical shards (for a directory, its placement).</summary>
    public IShardStrategy CreateStrategy() => (Strategy == ShardStrategyKind.Directory ? Placement : Strategy) switch
    {
        ShardStrategyKind.Modulo => new ModuloStrategy(LogicalShards),
        ShardStrategyKind.Ring => new RingStrategy(LogicalShards),
        _ => new JumpHashStrategy(LogicalShards),
    };

    internal static ShardsOptions Read(OptionReader reader, PoolsOptions pools, List<OptionError> errors)
    {
        ShardStrategyKind strategy = reader.Enum(nameof(Strategy), ShardStrategyKind.None);
        int logical = reader.Int32(nameof(LogicalShards), 16, 1, 4096);
        string poolList = reader.Text(nameof(Pools), string.Empty, allowEmpty: true);
        ShardStrategyKind placement = reader.Enum(nameof(Placement), ShardStrategyKind.Jump);
        int lag = reader.Int32(nameof(MaxReplicaLagTransactions), 1_000, 0, 1_000_000_000);
        int wait = reader.Int32(nameof(ReplicaWaitMs), 500, 0, 60_000);
        IConfigurationSection replicaSection = reader.Section(nameof(Replicas));

        var byName = pools.Definitions.ToDictionary(d => d.Name, StringComparer.Ordinal);
        string[] primaries = Split(poolList);
        foreach (string name in primaries.Where(n => !byName.ContainsKey(n)).Distinct())
        {
            reader.Fail(nameof(Pools), poolList, $"pool \"{name}\" is not in the Pools section (pools: {string.Join(", ", byName.Keys)})");
        }

        if (primaries.Distinct(StringComparer.Ordinal).Count() != primaries.Length)
        {
            reader.Fail(nameof(Pools), poolList, "each pool once");
        }

        if (strategy != ShardStrategyKind.None && primaries.Length == 0)
        {
            reader.Fail(nameof(Pools), poolList, $"one or more pool names (comma-separated) when {reader.Path}:Strategy is {strategy}");
        }

        if (primaries.Length > logical)
        {
            reader.Fail(nameof(LogicalShards), logical.ToString(System.Globalization.CultureInfo.InvariantCulture), $"at least as many logical shards as pools ({primaries.Length})");
        }

        if (placement is ShardStrategyKind.None or ShardStrategyKind.Directory)
        {
            reader.Fail(nameof(Placement), placement.ToString(), "Modulo, Jump or Ring");
        }

        var replicas = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (IConfigurationSection entry in replicaSection.GetChildren())
        {
            string[] names = Split(entry.Value ?? string.Empty);
            if (!primaries.Contains(entry.Key, StringComparer.Ordinal))
            {
                errors.Add(new OptionError(entry.Path, entry.Value, $"replicas of a shard pool listed in {reader.Path}:Pools ({poolList})"));
                continue;
            }

            foreach (string name in names)
            {
                string? problem = !byName.TryGetValue(name, out PoolDefinition? definition) ? $"pool \"{name}\" is not in the Pools section"
                    : definition.Endpoint.Provider != DatabaseProvider.MySql || byName[entry.Key].Endpoint.Provider != DatabaseProvider.MySql ? $"pool \"{name}\": replicas need MySQL/MariaDB on both sides (SQLite has none)"
                    : primaries.Contains(name, StringComparer.Ordinal) || name == PoolsOptions.MainPool ? $"pool \"{name}\" is a primary; a replica pool serves one shard's reads only"
                    : null;
                if (problem is not null)
                {
                    errors.Add(new OptionError(entry.Path, entry.Value, problem));
                }
            }

            replicas[entry.Key] = names;
        }

        return new ShardsOptions
        {
            Strategy = strategy,
            LogicalShards = logical,
            Pools = primaries,
            Placement = placement,
            Replicas = replicas,
            MaxReplicaLagTransactions = lag,
            ReplicaWaitMs = wait,
        };
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
