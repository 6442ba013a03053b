using System.Data.Common;
using System.Globalization;
using Realm.Data.Ownership;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Schema;
using Realm.Data.Sharding;
using Realm.Server.Tests.Data.Routing;

namespace Realm.Server.Tests.Data.Sharding;

/// <summary>
/// Players and items on three shard databases (six logical shards, two per database): SQLite files, or
/// databases on the test MariaDB with each one's replica on the test replica.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.MySql, Category = "Integration")]
[CancelAfter(120_000)]
public sealed class PlayerRepositoryTests
{
    private const int Databases = 3;
    private readonly DatabaseProvider _provider;
    private ShardDatabases _databases = null!;
    private QueryCatalog _queries = null!;
    private ConnectionPool[] _primaries = null!;
    private ReplicaSet[] _sets = null!;
    private PlayerRepository _repository = null!;

    public PlayerRepositoryTests(DatabaseProvider provider) => _provider = provider;

    [SetUp]
    public async Task SetUp()
    {
        _databases = new ShardDatabases(_provider);
        _queries = new QueryCatalog();
        DataQueries.AddTo(_queries);
        _primaries = new ConnectionPool[Databases];
        _sets = new ReplicaSet[Databases];
        for (int i = 0; i < Databases; i++)
        {
            _primaries[i] = await _databases.CreateAsync($"shard{i}");
        }

        string[] pools = [.. Enumerable.Range(0, 6).Select(logical => _primaries[logical / 2].Name)];
        var cluster0 = new ShardCluster(new ShardRouter(new JumpHashStrategy(6), pools), _primaries.Select(p => new ReplicaSet(p)));
        Assert.That(await cluster0.ApplySchemaAsync(), Is.EqualTo(Databases * DataSchema.Version));
        if (_provider == DatabaseProvider.MySql)
        {
            await ShardDatabases.ReplicaCaughtUpAsync();
        }

        for (int i = 0; i < Databases; i++)
        {
            ConnectionPool[] replicas = _provider == DatabaseProvider.MySql ? [_databases.Replica(_primaries[i], $"shard{i}_r")] : [];
            _sets[i] = new ReplicaSet(_primaries[i], replicas);
            await _sets[i].CheckLagAsync();
        }

        _repository = new PlayerRepository(new ShardCluster(new ShardRouter(new JumpHashStrategy(6), pools), _sets), _queries);
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (ReplicaSet set in _sets.Where(s => s is not null))
        {
            await set.DisposeAsync();
        }

        await _databases.DisposeAsync();
    }

    [Test]
    public async Task Players_AreStoredOnTheirRoutedShard_AndNowhereElse()
    {
        for (long id = 1; id <= 60; id++)
        {
            Assert.That(await _repository.ClaimAsync(id, $"p{id}", fence: 1), Is.Not.Null);
        }

        ShardRouter router = _repository.Cluster.Router;
        int[] perDatabase = new int[Databases];
        for (long id = 1; id <= 60; id++)
        {
            string home = router.PoolOf(id);
            for (int i = 0; i < Databases; i++)
            {
                long rows = await CountAsync(_primaries[i], $"SELECT COUNT(*) FROM players WHERE player_id = {id}");
                Assert.That(rows, Is.EqualTo(_primaries[i].Name == home ? 1 : 0), $"player {id} (home {home}) in {_primaries[i].Name}");
                perDatabase[i] += (int)rows;
            }
        }

        Assert.That(perDatabase, Has.All.GreaterThan(5), "the players spread over every database");
    }

    [Test]
    public async Task Load_ReadThrough_ServedFromTheCache_UntilASaveInvalidatesIt()
    {
        await _repository.ClaimAsync(7, "Ada", fence: 3);
        PlayerRecord? first = await _repository.LoadAsync(7);
        long missesAfterFirst = _repository.CacheStatistics.Misses;
        PlayerRecord? second = await _repository.LoadAsync(7);
        Assert.That(second, Is.EqualTo(first));
        Assert.That(_repository.CacheStatistics.Misses, Is.EqualTo(missesAfterFirst), "the second load is a hit");

        Assert.That(await _repository.SaveAsync(7, new PlayerState(2, 10, 20, 500), fence: 3), Is.True);
        PlayerRecord after = (await _repository.LoadAsync(7))!.Value;
        Assert.Multiple(() =>
        {
            Assert.That((after.Zone, after.X, after.Y, after.Gold), Is.EqualTo((2, 10, 20, 500L)), "the save is seen, not the cached row");
            Assert.That(_repository.CacheStatistics.Misses, Is.EqualTo(missesAfterFirst + 1), "the save invalidated the entry");
        });
        Assert.That(await _repository.LoadAsync(404), Is.Null, "an unknown player");
    }

    [Test]
    public async Task Save_WithAnOlderFence_IsRejected_AndTheRowKeepsTheNewerOwnersState()
    {
        await _repository.ClaimAsync(11, "Bo", fence: 5);
        Assert.That(await _repository.ClaimAsync(11, "Bo", fence: 4), Is.Null, "an older owner cannot claim");
        Assert.That(await _repository.SaveAsync(11, new PlayerState(1, 1, 1, 99), fence: 5), Is.True);
        Assert.That(await _repository.SaveAsync(11, new PlayerState(9, 9, 9, 1_000_000), fence: 4), Is.False, "the stale owner's save");
        Assert.That((await _repository.LoadAsync(11))!.Value.Gold, Is.EqualTo(99));
    }

    [Test]
    public async Task ReadsAfterOwnWrites_SeeThem_AndOnMariaDbComeFromReplicas()
    {
        var random = new Random(7);
        for (int round = 0; round < 40; round++)
        {
            long id = 100 + random.Next(10);
            await _repository.ClaimAsync(id, "r", fence: 1);
            var state = new PlayerState(round, random.Next(1000), random.Next(1000), round * 10);
            Assert.That(await _repository.SaveAsync(id, state, fence: 1), Is.True);
            PlayerRecord loaded = (await _repository.LoadAsync(id))!.Value;
            Assert.That((loaded.Zone, loaded.X, loaded.Y, loaded.Gold), Is.EqualTo((state.Zone, state.X, state.Y, state.Gold)), $"round {round}");
            await _repository.AddItemAsync(new ItemRecord(10_000 + round, id, 1, round, 1_000 + round));
            Assert.That((await _repository.ItemsOfAsync(id)).Select(i => i.ItemId), Does.Contain(10_000L + round), "an item just added is listed");
        }

        long replicaReads = _sets.Sum(s => s.Statistics.ReplicaReads);
        if (_provider == DatabaseProvider.MySql)
        {
            Assert.That(replicaReads, Is.GreaterThan(0), "reads went to the replicas");
        }
        else
        {
            Assert.That(replicaReads, Is.Zero, "SQLite has no replicas");
        }
    }

    [Test]
    public async Task ItemsOf_ListsTheOwnersItems_FromTheOwnersShard()
    {
        for (int i = 0; i < 30; i++)
        {
            await _repository.AddItemAsync(new ItemRecord(500 + i, 1 + (i % 3), Kind: i, Quantity: 1, CreatedAt: i));
        }

        IReadOnlyList<ItemRecord> owner2 = await _repository.ItemsOfAsync(2);
        Assert.That(owner2.Select(i => i.ItemId), Is.EqualTo(Enumerable.Range(0, 30).Where(i => 1 + (i % 3) == 2).Select(i => 500L + i)));
        Assert.That(owner2, Has.All.Matches<ItemRecord>(i => i.OwnerId == 2));
    }

    /// <summary>
    /// The oracle is one more database holding every item, paged with LIMIT/OFFSET — a different method
    /// from the keyset cursor — so a merge or cursor mistake shows as a different page.
    /// </summary>
    [Test]
    public async Task RecentItems_PagesEqualASingleDatabaseOracle_ForRandomPageSizesAndDepths()
    {
        ConnectionPool oracle = await _databases.CreateAsync("oracle");
        await DataSchema.ApplyAsync(oracle);
        NamedQuery insert = _queries.Get(DataQueries.ItemInsert);
        var random = new Random(20261202);
        const int items = 400;
        for (int i = 0; i < items; i++)
        {
            // Few distinct times: many ties, broken by item id across shards.
            var item = new ItemRecord(ItemId: random.NextInt64(1, 1_000_000_000), OwnerId: random.Next(1, 120), Kind: i, Quantity: 1, CreatedAt: 1_000 + random.Next(40));
            await _repository.AddItemAsync(item);
            PooledConnection lease = await oracle.AcquireAsync();
            await using (lease)
            {
                await lease.Command(insert).Set(0, item.ItemId).Set(1, item.OwnerId).Set(2, item.Kind).Set(3, item.Quantity).Set(4, item.CreatedAt).ExecuteNonQueryAsync();
            }
        }

        Assert.That(await Task.WhenAll(_primaries.Select(p => CountAsync(p, "SELECT COUNT(*) FROM items"))), Has.All.GreaterThan(50), "items on every shard");
        for (int walk = 0; walk < 25; walk++)
        {
            int size = walk < 3 ? new[] { 1, items, 1_000 }[walk] : random.Next(2, 60);
            ItemCursor? cursor = null;
            int offset = 0;
            while (true)
            {
                ItemPage page = await _repository.RecentItemsAsync(size, cursor);
                List<ItemRecord> expected = await OraclePageAsync(oracle, size, offset);
                Assert.That(page.Items, Is.EqualTo(expected), $"page size {size}, offset {offset}");
                offset += page.Items.Count;
                if (page.Next is null)
                {
                    break;
                }

                Assert.That(page.Items, Has.Count.EqualTo(size), "only the last page is short");
                cursor = page.Next;
            }

            Assert.That(offset, Is.EqualTo(items), $"page size {size}: every item once");
        }
    }

    [Test]
    public void ItemCursor_TextForm_RoundTrips()
    {
        var cursor = new ItemCursor(-5, 123456789012);
        Assert.That(ItemCursor.TryParse(cursor.ToString(), out ItemCursor? parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(cursor));
        Assert.That(ItemCursor.TryParse("12", out _), Is.False);
        Assert.That(ItemCursor.TryParse(".4", out _), Is.False);
        Assert.That(ItemCursor.TryParse("1.x", out _), Is.False);
        Assert.That(ItemCursor.TryParse(null, out _), Is.False);
    }

    private static async Task<List<ItemRecord>> OraclePageAsync(ConnectionPool oracle, int size, int offset)
    {
        PooledConnection lease = await oracle.AcquireAsync();
        await using (lease)
        {
            DbCommand command = lease.Connection.CreateCommand();
            await using (command)
            {
                command.CommandText = string.Create(CultureInfo.InvariantCulture, $"SELECT item_id, owner_id, kind, quantity, created_at FROM items ORDER BY created_at DESC, item_id DESC LIMIT {size} OFFSET {offset}");
                var page = new List<ItemRecord>();
                await using DbDataReader reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    page.Add(new ItemRecord(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt64(4)));
                }

                return page;
            }
        }
    }

    private static Task<long> CountAsync(ConnectionPool pool, string sql) => ShardDatabases.ScalarOnAsync(pool, sql);
}
