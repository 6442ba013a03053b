using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Tests.Net.Transport;

/// <summary>The in-memory link the transport benchmarks run on: the same handshake and delivery, no sockets.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class InMemoryLinkTests
{
    [Test]
    public void Handshake_ThenEchoOf1000ReliableOrderedMessages_ArrivesInOrder_WithoutAllocating()
    {
        using var server = new NetHost(new NetHostOptions { ReceiveThread = false });
        using var client = new NetHost(new NetHostOptions { ReceiveThread = false });
        Assert.That(server.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        Assert.That(client.StartClient(AddressFamily.InterNetwork, out error), Is.True, error);
        var link = new InMemoryLink(client, server);
        var serverEvents = new Recorder { CountOnly = true, OnMessageHook = static (p, payload) => p.Send(payload, DeliveryMethod.ReliableOrdered) };
        var clientEvents = new Recorder();
        NetPeer peer = client.Connect(link.ServerEndPoint, "in memory"u8);
        link.Deliver(ref clientEvents, ref serverEvents);
        Assert.That(peer.State, Is.EqualTo(NetPeerState.Connected));
        Assert.That(serverEvents.ConnectData.Single(), Is.EqualTo("in memory"u8.ToArray()));
        Assert.That(serverEvents.Connected.Single().EndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, client.LocalEndPoint!.Port)));

        for (int i = 0; i < 1000; i++)
        {
            peer.Send(BitConverter.GetBytes(i), DeliveryMethod.ReliableOrdered);
            client.Flush();
            link.Deliver(ref clientEvents, ref serverEvents);
        }

        Assert.That(clientEvents.Payloads(DeliveryMethod.ReliableOrdered).Select(p => BitConverter.ToInt32(p)), Is.EqualTo(Enumerable.Range(0, 1000)));

        clientEvents.CountOnly = true;
        byte[] payload = new byte[32];
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            peer.Send(payload, DeliveryMethod.ReliableOrdered);
            client.Flush();
            link.Deliver(ref clientEvents, ref serverEvents);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(clientEvents.MessageCount, Is.EqualTo(2000));
        Assert.That(link.Dropped, Is.Zero);
    }

    [Test]
    public void ManyClients_OnOneServer_EachGetsOnlyItsOwnEchoes()
    {
        using var server = new NetHost(new NetHostOptions { ReceiveThread = false, MaxConnectAttemptsPerSecond = 1000 });
        Assert.That(server.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        var clients = new List<NetHost>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var client = new NetHost(new NetHostOptions { ReceiveThread = false });
                clients.Add(client);
                Assert.That(client.StartClient(AddressFamily.InterNetwork, out error), Is.True, error);
            }

            var link = new InMemoryLink(server, clients);
            var serverEvents = new Recorder { OnMessageHook = static (p, payload) => p.Send(payload, DeliveryMethod.ReliableOrdered) };
            var clientEvents = new Recorder();
            NetPeer[] peers = clients.Select(c => c.Connect(link.ServerEndPoint, "many"u8)).ToArray();
            link.Deliver(ref clientEvents, ref serverEvents);
            Assert.That(peers.Select(p => p.State), Is.All.EqualTo(NetPeerState.Connected));
            Assert.That(serverEvents.Connected, Has.Count.EqualTo(20));

            for (int round = 0; round < 50; round++)
            {
                for (int i = 0; i < peers.Length; i++)
                {
                    peers[i].Send(BitConverter.GetBytes((i * 1000) + round), DeliveryMethod.ReliableOrdered);
                    clients[i].Flush();
                }

                link.Deliver(ref clientEvents, ref serverEvents, flushClients: round % 2 == 0); // both ways of acking
            }

            for (int i = 0; i < peers.Length; i++)
            {
                NetPeer peer = peers[i];
                Assert.That(
                    clientEvents.Messages.Where(m => m.Peer == peer).Select(m => BitConverter.ToInt32(m.Payload)),
                    Is.EqualTo(Enumerable.Range(0, 50).Select(r => (i * 1000) + r)),
                    $"client {i}");
            }

            Assert.That(link.Dropped, Is.Zero);
            Assert.That(() => new InMemoryLink(server, [clients[0], clients[0]]), Throws.ArgumentException.With.Message.Contains("share port"));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
