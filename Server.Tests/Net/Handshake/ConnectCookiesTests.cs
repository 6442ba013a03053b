using System.Net;
using Realm.Server.Net.Handshake;

namespace Realm.Server.Tests.Net.Handshake;

[TestFixture]
[CancelAfter(10_000)]
public sealed class ConnectCookiesTests
{
    private static readonly SocketAddress Client = new IPEndPoint(IPAddress.Parse("127.0.0.5"), 50_000).Serialize();
    private const ulong Nonce = 0x1234_5678_9ABC_DEF0;
    private const long Now = 1_000_000;

    [Test]
    public void IsValid_FreshCookieForTheSameClient_IsAccepted()
    {
        var cookies = new ConnectCookies();
        byte[] cookie = Make(cookies, Client, Nonce, Now);
        Assert.That(cookies.IsValid(Client, Nonce, Now, cookie), Is.True);
        Assert.That(cookies.IsValid(Client, Nonce, Now + cookies.WindowMilliseconds, cookie), Is.True, "the next window still accepts it");
    }

    [Test]
    public void IsValid_TwoWindowsLater_IsRejected()
    {
        var cookies = new ConnectCookies(windowMilliseconds: 5_000);
        byte[] cookie = Make(cookies, Client, Nonce, Now);
        long windowStart = Now / 5_000 * 5_000;
        Assert.That(cookies.IsValid(Client, Nonce, windowStart + 9_999, cookie), Is.True);
        Assert.That(cookies.IsValid(Client, Nonce, windowStart + 10_000, cookie), Is.False);
    }

    [Test]
    public void IsValid_OtherPortAddressOrNonce_IsRejected()
    {
        var cookies = new ConnectCookies();
        byte[] cookie = Make(cookies, Client, Nonce, Now);
        Assert.Multiple(() =>
        {
            Assert.That(cookies.IsValid(new IPEndPoint(IPAddress.Parse("127.0.0.5"), 50_001).Serialize(), Nonce, Now, cookie), Is.False, "other port");
            Assert.That(cookies.IsValid(new IPEndPoint(IPAddress.Parse("127.0.0.6"), 50_000).Serialize(), Nonce, Now, cookie), Is.False, "other address");
            Assert.That(cookies.IsValid(Client, Nonce + 1, Now, cookie), Is.False, "other nonce");
        });
    }

    [Test]
    public void IsValid_AnyFlippedBitOrWrongLength_IsRejected()
    {
        var cookies = new ConnectCookies();
        byte[] cookie = Make(cookies, Client, Nonce, Now);
        for (int bit = 0; bit < ConnectCookies.CookieBytes * 8; bit++)
        {
            byte[] tampered = (byte[])cookie.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.That(cookies.IsValid(Client, Nonce, Now, tampered), Is.False, $"bit {bit}");
        }

        Assert.That(cookies.IsValid(Client, Nonce, Now, cookie.AsSpan(0, 15)), Is.False);
        Assert.That(cookies.IsValid(Client, Nonce, Now, [.. cookie, 0]), Is.False);
        Assert.That(cookies.IsValid(Client, Nonce, Now, ReadOnlySpan<byte>.Empty), Is.False);
    }

    [Test]
    public void IsValid_CookieFromAnotherServerSecret_IsRejected()
    {
        byte[] cookie = Make(new ConnectCookies(), Client, Nonce, Now);
        Assert.That(new ConnectCookies().IsValid(Client, Nonce, Now, cookie), Is.False);
    }

    [Test]
    public void Create_SameSecretAndInputs_IsDeterministic()
    {
        byte[] secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        byte[] a = Make(new ConnectCookies(secret: secret), Client, Nonce, Now);
        byte[] b = Make(new ConnectCookies(secret: secret), Client, Nonce, Now);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Has.Some.Not.EqualTo((byte)0));
    }

    [Test]
    public void IsValid_Ipv6Client_RoundTrips()
    {
        var cookies = new ConnectCookies();
        SocketAddress v6 = new IPEndPoint(IPAddress.IPv6Loopback, 40_000).Serialize();
        byte[] cookie = Make(cookies, v6, Nonce, Now);
        Assert.That(cookies.IsValid(v6, Nonce, Now, cookie), Is.True);
        Assert.That(cookies.IsValid(Client, Nonce, Now, cookie), Is.False);
    }

    [Test]
    public void CreateAndIsValid_Repeated_AllocateNothing()
    {
        var cookies = new ConnectCookies();
        byte[] cookie = new byte[ConnectCookies.CookieBytes];
        cookies.Create(Client, Nonce, Now, cookie); // warm up
        cookies.IsValid(Client, Nonce, Now, cookie);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            cookies.Create(Client, Nonce, Now + i, cookie);
            if (!cookies.IsValid(Client, Nonce, Now + i, cookie))
            {
                Assert.Fail("a fresh cookie was rejected");
            }
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Constructor_WindowShorterThan100Ms_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ConnectCookies(windowMilliseconds: 10));

    private static byte[] Make(ConnectCookies cookies, SocketAddress address, ulong nonce, long now)
    {
        byte[] cookie = new byte[ConnectCookies.CookieBytes];
        cookies.Create(address, nonce, now, cookie);
        return cookie;
    }
}
