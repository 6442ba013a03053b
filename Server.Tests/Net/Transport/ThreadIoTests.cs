using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Tests.Net.Transport;

/// <summary>
/// Hosts called on one thread share its scratch, block pools and I/O batches (ThreadIo). A host called
/// from inside another's callback must neither read the other's received datagrams nor send the other's
/// datagrams on its own socket.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ThreadIoTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Test]
    public void PollNestedInAnotherHostsCallback_EachHostGetsOnlyItsOwnDatagrams()
    {
        using var net = new Loopback();
        (Client a, Client b) = ConnectTwo(net);
        Recorder aEvents = a.Events, bEvents = b.Events;

        // Five datagrams for each client, so that A's one receive call holds several when B polls inside it.
        for (int i = 0; i < 5; i++)
        {
            a.AtServer.Send([(byte)'a', (byte)i], DeliveryMethod.Unreliable);
            b.AtServer.Send([(byte)'b', (byte)i], DeliveryMethod.Unreliable);
            net.Server.Flush();
        }

        // Loopback queues a datagram on the receiving socket within the sender's system call, so all ten are
        // there; the wait only covers the first. A's one Poll must then deliver its five from one receive call.
        aEvents.OnMessageHook = (_, _) =>
        {
            aEvents.OnMessageHook = null;
            Recorder e = bEvents;
            b.Host.Poll(ref e);
        };
        Recorder events = aEvents;
        a.Host.Poll(ref events, Long);

        Assert.That(aEvents.Payloads(DeliveryMethod.Unreliable).Select(p => $"{(char)p[0]}{p[1]}"), Is.EqualTo(new[] { "a0", "a1", "a2", "a3", "a4" }));
        Assert.That(bEvents.Payloads(DeliveryMethod.Unreliable).Select(p => $"{(char)p[0]}{p[1]}"), Is.EqualTo(new[] { "b0", "b1", "b2", "b3", "b4" }));
    }

    [Test]
    public void FlushNestedInAnotherHostsPoll_TheFirstHostsAckLeavesOnItsOwnSocket()
    {
        using var net = new Loopback();
        (Client a, Client b) = ConnectTwo(net);
        NetPeer toA = a.AtServer, toB = b.AtServer;
        Assert.That(net.PumpUntil(() => toA.DatagramsInFlight == 0 && toB.DatagramsInFlight == 0, Long), Is.True);

        // 32 datagrams: A acks the 32nd at once, in its receive call, before the callback of its message runs.
        int count = 32;
        for (int i = 0; i < count; i++)
        {
            toA.Send([(byte)i], DeliveryMethod.Unreliable);
            net.Server.Flush();
        }

        Assert.That(toA.DatagramsInFlight, Is.EqualTo(count));
        int seen = 0;
        a.Events.OnMessageHook = (_, _) =>
        {
            if (++seen == count)
            {
                b.Peer.Send("from b"u8, DeliveryMethod.ReliableOrdered);
                b.Host.Flush(); // B sends while A's ack waits in the thread's send batch
            }
        };
        Recorder events = a.Events;
        a.Host.Poll(ref events, Long); // no Flush of A: only the ack sent inside this call can reach the server
        Assert.That(seen, Is.EqualTo(count), "all 32 in A's one Poll (loopback queues them within the server's send call)");

        Recorder server = net.ServerEvents;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < Long && (toA.DatagramsInFlight != 0 || !net.ServerEvents.Messages.Any(m => m.Peer == toB)))
        {
            net.Server.Poll(ref server, TimeSpan.FromMilliseconds(1));
        }

        Assert.That(toA.DatagramsInFlight, Is.Zero, "A's ack reached the server from A's address");
        Assert.That(net.ServerEvents.Messages.Single(m => m.Peer == toB).Payload, Is.EqualTo("from b"u8.ToArray()));
        Assert.That(net.Server.Statistics.DroppedTotal, Is.Zero);
    }

    [Test]
    public void HostDroppedWithoutDispose_ItsSocketIsClosedByTheFinalizer()
    {
        // The host keeps its socket handle referenced from start to dispose (the batch calls use the raw
        // descriptor); a host that is never disposed must still let the handle close.
        int port = StartAndDrop();

        // Two passes: the host's finalizer gives the handle back its reference, then the handle's own closes it.
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.DoesNotThrow(() => socket.Bind(new IPEndPoint(IPAddress.Loopback, port)), $"port {port} is still held by the dropped host's socket");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int StartAndDrop()
    {
        var host = new NetHost(new NetHostOptions { ReceiveThread = false });
        Assert.That(host.StartServer(IPAddress.Loopback, 0, out string? error), Is.True, error);
        return host.LocalEndPoint!.Port;
    }

    /// <summary>Connects two clients to <paramref name="net"/>'s server, both polled on this thread.</summary>
    private static (Client A, Client B) ConnectTwo(Loopback net)
    {
        (NetHost a, Recorder aEvents, NetPeer aPeer) = net.AddClient();
        (NetHost b, Recorder bEvents, NetPeer bPeer) = net.AddClient();
        Assert.That(net.PumpUntil(() => aPeer.State == NetPeerState.Connected && bPeer.State == NetPeerState.Connected && net.ServerEvents.Connected.Count == 2, Long), Is.True);
        NetPeer AtServer(NetHost client) => net.ServerEvents.Connected.Single(p => p.EndPoint.Port == client.LocalEndPoint!.Port);
        return (new Client(a, aEvents, aPeer, AtServer(a)), new Client(b, bEvents, bPeer, AtServer(b)));
    }

    private sealed record Client(NetHost Host, Recorder Events, NetPeer Peer, NetPeer AtServer);
}
