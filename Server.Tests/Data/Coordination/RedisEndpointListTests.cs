using Realm.Data.Coordination;

namespace Realm.Server.Tests.Data.Coordination;

[TestFixture]
[CancelAfter(5_000)]
public sealed class RedisEndpointListTests
{
    [Test]
    public void TryParse_ThreeEndpoints_KeepsOrderHostsAndPorts()
    {
        Assert.That(RedisEndpointList.TryParse(" 127.0.0.1:6380, redis-b:6381,[::1]:6382 ", out RedisEndpointList? list, out string? error), Is.True, error);
        Assert.That(list!.Endpoints.Select(e => $"{e.Host}|{e.Port}"), Is.EqualTo(new[] { "127.0.0.1|6380", "redis-b|6381", "::1|6382" }));
        Assert.That(list.ToString(), Is.EqualTo("127.0.0.1:6380,redis-b:6381,[::1]:6382"));
    }

    [TestCase("")]
    [TestCase(" , ")]
    [TestCase("127.0.0.1")]
    [TestCase("127.0.0.1:")]
    [TestCase("127.0.0.1:0")]
    [TestCase("127.0.0.1:65536")]
    [TestCase("127.0.0.1:+80")]
    [TestCase("::1:6379")]
    [TestCase("[::1]6379")]
    [TestCase("[nothost]:6379")]
    [TestCase(":6379")]
    public void TryParse_Malformed_ReturnsFalseWithAReason(string text)
    {
        Assert.That(RedisEndpointList.TryParse(text, out RedisEndpointList? list, out string? error), Is.False);
        Assert.That(list, Is.Null);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void TryParse_SameServerTwice_IsRejected()
    {
        Assert.That(RedisEndpointList.TryParse("a:1,A:1", out _, out string? error), Is.False);
        Assert.That(error, Does.Contain("appears twice"));
    }
}
