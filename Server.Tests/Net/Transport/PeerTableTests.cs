using System.Net;
using Realm.Server.Net.Transport;

namespace Realm.Server.Tests.Net.Transport;

[TestFixture]
public sealed class PeerTableTests
{
    [Test]
    public void ManyIpv4AndIpv6Peers_AreFoundByAnEqualAddress_AndGoneAfterRemove()
    {
        using var host = new NetHost(new NetHostOptions { ReceiveThread = false });
        var table = new PeerTable();
        var random = new Random(11);
        var addresses = new List<IPEndPoint>();
        for (int i = 0; i < 600; i++)
        {
            byte[] v6 = new byte[16];
            random.NextBytes(v6);
            IPAddress ip = i % 3 == 0 ? new IPAddress(v6) : new IPAddress(random.NextInt64(1, uint.MaxValue) & 0xFFFF_FFFF);
            var endpoint = new IPEndPoint(ip, 1 + (i % 7)); // few ports: many entries share one, many share an address family
            if (addresses.Contains(endpoint))
            {
                continue;
            }

            addresses.Add(endpoint);
            table.Add(endpoint.Serialize(), new NetPeer(host, i, endpoint.Serialize(), (ulong)i, NetPeerState.Connected, 0));
        }

        Assert.That(table.Count, Is.EqualTo(addresses.Count));
        foreach (IPEndPoint endpoint in addresses)
        {
            Assert.That(table.TryGetValue(endpoint.Serialize(), out NetPeer? peer), Is.True, endpoint.ToString()); // a fresh, equal address object
            Assert.That(peer!.Address.Equals(endpoint.Serialize()), Is.True);
        }

        Assert.That(table.ContainsKey(new IPEndPoint(IPAddress.Loopback, 9).Serialize()), Is.False);
        var v4 = addresses.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.That(table.ContainsKey(new IPEndPoint(v4.Address, v4.Port + 100).Serialize()), Is.False, "same address, other port");

        for (int i = 0; i < addresses.Count; i += 2)
        {
            Assert.That(table.Remove(addresses[i].Serialize()), Is.True);
        }

        for (int i = 0; i < addresses.Count; i++)
        {
            Assert.That(table.ContainsKey(addresses[i].Serialize()), Is.EqualTo(i % 2 == 1), addresses[i].ToString());
        }

        Assert.That(() => table.Add(addresses[1].Serialize(), new NetPeer(host, -1, addresses[1].Serialize(), 0, NetPeerState.Connected, 0)), Throws.ArgumentException);
        table.Clear();
        Assert.That(table.Count, Is.Zero);
    }

    [Test]
    public void Ipv4Peers_AreFoundByTheKeyOfTheirRawSockaddr_AndIpv6HasNone()
    {
        using var host = new NetHost(new NetHostOptions { ReceiveThread = false });
        var table = new PeerTable();
        var a = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5000);
        var b = new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5001);
        var c = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 5000);
        foreach (IPEndPoint e in new[] { a, b, c })
        {
            table.Add(e.Serialize(), new NetPeer(host, e.Port, e.Serialize(), 1, NetPeerState.Connected, 0));
        }

        foreach (IPEndPoint e in new[] { a, b, c })
        {
            SocketAddress address = e.Serialize();
            Assert.That(PeerTable.TryKey(address.Buffer.Span[..address.Size], out long key), Is.True); // the bytes a recvmmsg header holds
            Assert.That(key, Is.Not.Zero);
            Assert.That(table.TryGetValue(key, out NetPeer? peer), Is.True, e.ToString());
            Assert.That(peer!.EndPoint, Is.EqualTo(e));
            Assert.That(peer.AddressKey, Is.EqualTo(key));
        }

        Assert.That(PeerTable.TryKey(new IPEndPoint(IPAddress.Parse("127.0.0.1"), 5002).Serialize(), out long other), Is.True);
        Assert.That(table.TryGetValue(other, out _), Is.False, "same address, other port");
        SocketAddress v6 = new IPEndPoint(IPAddress.IPv6Loopback, 5000).Serialize();
        Assert.That(PeerTable.TryKey(v6, out long none), Is.False);
        Assert.That(none, Is.Zero);
        Assert.That(PeerTable.TryKey(v6.Buffer.Span[..16], out _), Is.False, "16 bytes of an IPv6 sockaddr are not an IPv4 one");
        Assert.That(new NetPeer(host, 9, v6, 1, NetPeerState.Connected, 0).AddressKey, Is.Zero);
    }
}
