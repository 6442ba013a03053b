using Realm.Data.Providers;

namespace Realm.Data.Pooling;

/// <summary>One named pool of a <see cref="PoolRegistry"/>: where it connects and how it behaves.</summary>
/// <param name="Name">Unique name, for example <c>shard_0</c> or <c>shard_0_replica_1</c>.</param>
/// <param name="Endpoint">The database.</param>
/// <param name="Options">Sizes and policies.</param>
public sealed record PoolDefinition(string Name, DatabaseEndpoint Endpoint, ConnectionPoolOptions Options);
