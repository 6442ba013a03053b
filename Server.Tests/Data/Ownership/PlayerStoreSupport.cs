using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Schema;
using Realm.Server.Tests.Data.Pooling;

namespace Realm.Server.Tests.Data.Ownership;

internal static class PlayerStoreSupport
{
    /// <summary>A pool on a fresh SQLite file (or the test MariaDB) with the schema applied, and a player store on it.</summary>
    public static async Task<(ConnectionPool Pool, PlayerStore Store)> CreateAsync(DatabaseProvider provider, string name, int maxSize)
    {
        var pool = new ConnectionPool(name, PoolEndpoints.For(provider, name), new ConnectionPoolOptions { MaxSize = maxSize });
        await DataSchema.ApplyAsync(pool);
        var catalog = new QueryCatalog();
        DataQueries.AddTo(catalog);
        return (pool, new PlayerStore(pool, catalog));
    }
}
