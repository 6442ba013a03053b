using Realm.Data.Caching;
using Realm.Data.Pooling;
using Realm.Data.Providers;
using Realm.Data.Queries;
using Realm.Data.Routing;
using Realm.Data.Schema;

namespace Realm.Server.Tests.Data.Routing;

/// <summary>Directory routing over a real global database: SQLite and the test MariaDB.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.MySql, Category = "Integration")]
[CancelAfter(60_000)]
public sealed class ShardDirectoryTests
{
    private readonly DatabaseProvider _provider;
    private ShardDatabases _databases = null!;
    private ConnectionPool _global = null!;
    private QueryCatalog _queries = null!;

    public ShardDirectoryTests(DatabaseProvider provider) => _provider = provider;

    [SetUp]
    public async Task SetUp()
    {
        _databases = new ShardDatabases(_provider);
        _global = await _databases.CreateAsync("directory", maxSize: 16);
        await DataSchema.ApplyAsync(_global);
        _queries = new QueryCatalog();
        DataQueries.AddTo(_queries);
    }

    [TearDown]
    public async Task TearDown() => await _databases.DisposeAsync();

    [Test]
    public async Task UnmappedKey_PlacedByTheDefaultStrategy_RecordedAndThenServedFromTheCache()
    {
        var placement = new JumpHashStrategy(8);
        var directory = new ShardDirectory(_global, _queries, placement);
        for (long key = 1; key <= 200; key++)
        {
            Assert.That(await directory.ShardOfAsync(key), Is.EqualTo(placement.ShardOf(StableHash.Hash(key))));
        }

        Assert.That(directory.Placed, Is.EqualTo(200));
        Assert.That(await CountRowsAsync(), Is.EqualTo(200), "every placement is a row");
        long lookups = _queries.Get(DataQueries.DirectoryGet).Statistics.Count;
        for (long key = 1; key <= 200; key++)
        {
            Assert.That(directory.TryGetCached(key, out int cached), Is.True);
            Assert.That(await directory.ShardOfAsync(key), Is.EqualTo(cached));
        }

        Assert.That(_queries.Get(DataQueries.DirectoryGet).Statistics.Count, Is.EqualTo(lookups), "hits do not touch the database");
        Assert.That(directory.TryGetCached(999, out _), Is.False);
    }

    [Test]
    public async Task GrowingTheShardCount_KeepsMappedKeys_AndSpreadsNewKeysOverTheNewCount()
    {
        var before = new ShardDirectory(_global, _queries, new JumpHashStrategy(4));
        var shardsBefore = new Dictionary<long, int>();
        for (long key = 0; key < 1_000; key++)
        {
            shardsBefore[key] = await before.ShardOfAsync(key);
        }

        var after = new ShardDirectory(_global, _queries, new JumpHashStrategy(5));
        for (long key = 0; key < 1_000; key++)
        {
            Assert.That(await after.ShardOfAsync(key), Is.EqualTo(shardsBefore[key]), $"key {key} moved");
        }

        var newKeys = new int[5];
        for (long key = 10_000; key < 11_000; key++)
        {
            newKeys[await after.ShardOfAsync(key)]++;
        }

        Assert.That(newKeys, Has.All.GreaterThan(140), "new keys use every shard, the new one included (200 each on average)");
        Assert.That(after.Placed, Is.EqualTo(1_000), "only the new keys were placed");
    }

    [Test]
    public async Task Move_ChangesTheShard_InvalidatesHere_OtherServersSeeItWhenTheirEntryExpires()
    {
        long now = 0;
        var clock = new CacheOptions { Capacity = 1_000, DefaultTimeToLive = TimeSpan.FromSeconds(10), Clock = () => Volatile.Read(ref now) };
        var here = new ShardDirectory(_global, _queries, new ModuloStrategy(4));
        var elsewhere = new ShardDirectory(_global, _queries, new ModuloStrategy(4), clock);
        const long hot = 4_000; // modulo places it on shard 0... of its hash; what matters is the move
        int original = await here.ShardOfAsync(hot);
        Assert.That(await elsewhere.ShardOfAsync(hot), Is.EqualTo(original));
        int target = (original + 1) % 4;

        await here.MoveAsync(hot, target);

        Assert.That(here.TryGetCached(hot, out _), Is.False, "invalidated where it was moved");
        Assert.That(await here.ShardOfAsync(hot), Is.EqualTo(target));
        Assert.That(await elsewhere.ShardOfAsync(hot), Is.EqualTo(original), "another server's entry is still live");
        Interlocked.Add(ref now, 10_001);
        Assert.That(await elsewhere.ShardOfAsync(hot), Is.EqualTo(target), "after its entry expired");

        await here.MoveAsync(77_777, 2); // never placed: moving records it
        Assert.That(await here.ShardOfAsync(77_777), Is.EqualTo(2));
        Assert.That(() => here.MoveAsync(1, 4), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public async Task ConcurrentPlacement_FromTwoServersWithDifferentDefaults_AllAgreeOnTheFirstRow()
    {
        var a = new ShardDirectory(_global, _queries, new ModuloStrategy(8));
        var b = new ShardDirectory(_global, _queries, new JumpHashStrategy(8));
        long[] keys = [.. Enumerable.Range(0, 300).Select(i => 50_000L + i)];
        int[] shardsA = new int[keys.Length];
        int[] shardsB = new int[keys.Length];
        var eight = new ParallelOptions { MaxDegreeOfParallelism = 8 };
        await Task.WhenAll(
            Parallel.ForEachAsync(Enumerable.Range(0, keys.Length), eight, async (i, ct) => shardsA[i] = await a.ShardOfAsync(keys[i], ct)),
            Parallel.ForEachAsync(Enumerable.Range(0, keys.Length), eight, async (i, ct) => shardsB[i] = await b.ShardOfAsync(keys[i], ct)));

        Assert.That(shardsB, Is.EqualTo(shardsA), "both servers use the same row for every key");
        Assert.That(a.Placed + b.Placed, Is.EqualTo(keys.Length), "each key was recorded once");
        Assert.That(await CountRowsAsync(), Is.EqualTo(keys.Length));
    }

    [Test]
    public async Task RowNamingAShardTheDirectoryLacks_IsAClearError()
    {
        var directory = new ShardDirectory(_global, _queries, new ModuloStrategy(4));
        await directory.MoveAsync(5, 3);
        var smaller = new ShardDirectory(_global, _queries, new ModuloStrategy(2));
        Assert.That(async () => await smaller.ShardOfAsync(5), Throws.InvalidOperationException.With.Message.Contain("logical shard 3").And.Message.Contain("there are 2"));
    }

    [Test]
    public async Task RouterOverADirectory_RoutesToThePoolOfTheMappedShard()
    {
        var directory = new ShardDirectory(_global, _queries, new JumpHashStrategy(4));
        var router = new ShardRouter(directory, ["db_a", "db_a", "db_b", "db_b"]);
        await directory.MoveAsync(42, 3);
        Assert.That(await router.PoolOfAsync(42), Is.EqualTo("db_b"));
        Assert.That(await router.LogicalShardOfAsync(42), Is.EqualTo(3));
        Assert.That(() => router.PoolOf(42), Throws.InvalidOperationException.With.Message.Contain("LogicalShardOfAsync"));
        ShardRouter grown = router.WithShardIn(3, "db_c");
        Assert.That(grown.Directory, Is.SameAs(directory));
        Assert.That(await grown.PoolOfAsync(42), Is.EqualTo("db_c"));
    }

    private Task<long> CountRowsAsync() => ShardDatabases.ScalarOnAsync(_global, "SELECT COUNT(*) FROM shard_directory");
}
