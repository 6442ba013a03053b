using System.Text;
using Realm.Data.Routing;

namespace Realm.Server.Tests.Data.Routing;

[TestFixture]
[CancelAfter(30_000)]
public sealed class StableHashTests
{
    // Published XXH64 vectors (xxHash's own test suite and the implementations that reproduce it).
    [TestCase("", 0UL, 0xEF46DB3751D8E999UL)]
    [TestCase("a", 0UL, 0xD24EC4F1A98C6E5BUL)]
    [TestCase("abc", 0UL, 0x44BC2CF5AD770999UL)]
    [TestCase("ABC", 0UL, 0xE66AE7354FCFEE98UL)]
    [TestCase("xxhash", 0UL, 0x32DD38952C4BC720UL)]
    [TestCase("abcdefghijklmnopqrstuvwxyz12345", 0UL, 0x467605901B01D6F6UL)]
    [TestCase("", 668718853UL, 0x04E830582A31A119UL)]
    [TestCase("a", 191961062UL, 0x6E05BA2887C97977UL)]
    public void XxHash64_PublishedVectors(string text, ulong seed, ulong expected) =>
        Assert.That(StableHash.XxHash64(Encoding.UTF8.GetBytes(text), seed), Is.EqualTo(expected));

    [Test]
    public void XxHash64_EveryLengthUpTo300AndRandomSeeds_MatchesAnIndependentImplementation()
    {
        // System.IO.Hashing's XxHash64 (test-only dependency) exercises the 32-byte stripes and every tail length.
        var random = new Random(64);
        for (int length = 0; length <= 300; length++)
        {
            byte[] data = new byte[length];
            random.NextBytes(data);
            long seed = random.NextInt64();
            Assert.That(StableHash.XxHash64(data, (ulong)seed), Is.EqualTo(System.IO.Hashing.XxHash64.HashToUInt64(data, seed)), $"length {length}");
        }
    }

    [Test]
    public void Hash_OfAKeyAndOfAString_IsTheXxHashOfItsBytes()
    {
        Assert.That(StableHash.Hash(42L), Is.EqualTo(StableHash.XxHash64(BitConverter.GetBytes(42L))));
        Assert.That(StableHash.Hash("player:42"), Is.EqualTo(StableHash.XxHash64("player:42"u8)));
        string large = new('é', 1000); // past the stack buffer
        Assert.That(StableHash.Hash(large), Is.EqualTo(StableHash.XxHash64(Encoding.UTF8.GetBytes(large))));
    }
}
