using Realm.Data.Routing;

namespace Realm.Server.Tests.Data.Routing;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ShardRouterTests
{
    private static readonly string[] TwoServers = [.. Enumerable.Range(0, 16).Select(i => i < 8 ? "db_a" : "db_b")];

    [Test]
    public void Route_SixteenLogicalShardsOnTwoServers_EveryKeyToItsShardsServer()
    {
        var router = new ShardRouter(new JumpHashStrategy(16), TwoServers);

        Assert.That(router.Pools, Is.EqualTo(new[] { "db_a", "db_b" }));
        for (long key = 0; key < 10_000; key++)
        {
            int shard = router.LogicalShardOf(key);
            Assert.That(shard, Is.InRange(0, 15));
            Assert.That(router.PoolOf(key), Is.EqualTo(shard < 8 ? "db_a" : "db_b"));
        }
    }

    [Test]
    public void MovingOneLogicalShardToANewServer_MovesOnlyThatShardsKeys()
    {
        var before = new ShardRouter(new JumpHashStrategy(16), TwoServers);
        ShardRouter after = before.WithShardIn(3, "db_c");
        int moved = 0;
        for (long key = 0; key < 100_000; key++)
        {
            if (before.PoolOf(key) != after.PoolOf(key))
            {
                moved++;
                Assert.That(before.LogicalShardOf(key), Is.EqualTo(3), $"key {key} of another shard changed server");
                Assert.That(after.PoolOf(key), Is.EqualTo("db_c"));
            }
        }

        Assert.That(moved / 100_000.0, Is.EqualTo(1.0 / 16).Within(0.01), "one logical shard's share of the keys");
        Assert.That(before.PoolOfShard(3), Is.EqualTo("db_a"), "the old router is unchanged");
    }

    [Test]
    public void Constructor_MapNotCoveringEveryLogicalShard_ThrowsNamingBothCounts()
    {
        Assert.That(() => new ShardRouter(new JumpHashStrategy(16), ["db_a", "db_b"]), Throws.ArgumentException.With.Message.Contain("2 pool(s)").And.Message.Contain("16 logical shards"));
        Assert.That(() => new ShardRouter(new ModuloStrategy(2), ["db_a", " "]), Throws.ArgumentException.With.Message.Contain("logical shard 1 has no pool"));
    }
}
