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
}
