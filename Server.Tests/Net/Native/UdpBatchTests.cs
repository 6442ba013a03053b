using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Native;

namespace Realm.Server.Tests.Net.Native;

[TestFixture]
[CancelAfter(30_000)]
public sealed class UdpBatchTests
{
    [SetUp]
    public void RequireLinux()
    {
        if (!LinuxUdp.IsSupported)
        {
            Assert.Ignore("recvmmsg/sendmmsg batching is 64-bit Linux only; other systems use one call per datagram");
        }
    }

    [Test]
    public unsafe void Layouts_MatchTheLp64LinuxAbi()
    {
        Assert.That(sizeof(LinuxUdp.MMsgHdr), Is.EqualTo(64));
        Assert.That(sizeof(LinuxUdp.IoVec), Is.EqualTo(16));
    }

    [Test]
    public void SendBatch_ThenReceiveBatch_DeliversEveryDatagramWithItsSourceAddress([Values] bool ipv6)
    {
        IPAddress loopback = ipv6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        using Socket sender = Bound(loopback);
        using Socket receiver = Bound(loopback);
        using var outgoing = new UdpBatch(8, 256);
        using var incoming = new UdpBatch(8, 256);
        SocketAddress to = receiver.LocalEndPoint!.Serialize();
        for (int i = 0; i < 5; i++)
        {
            Assert.That(outgoing.TryAdd(Enumerable.Repeat((byte)i, 10 + i).ToArray(), to), Is.True);
        }

        Assert.That(outgoing.Count, Is.EqualTo(5));
        Assert.That(outgoing.Send(sender), Is.Zero);
        Assert.That(outgoing.Count, Is.Zero);

        var got = new List<byte[]>();
        var from = new SocketAddress(receiver.AddressFamily);
        SocketAddress expectedFrom = sender.LocalEndPoint!.Serialize();
        while (got.Count < 5)
        {
            int n = incoming.Receive(receiver, block: true, out int errno);
            Assert.That(n, Is.GreaterThan(0), $"errno {errno}");
            for (int i = 0; i < n; i++)
            {
                Assert.That(incoming.IsTruncated(i), Is.False);
                incoming.ReadAddress(i, from);
                Assert.That(from, Is.EqualTo(expectedFrom));
                Assert.That(incoming.Source(i).SequenceEqual(expectedFrom.Buffer.Span[..expectedFrom.Size]), Is.True, "the source read in place is the sender's sockaddr");
                got.Add(incoming.Data(i).ToArray());
            }
        }

        Assert.That(got.Select(d => (d.Length, d[0])), Is.EqualTo(Enumerable.Range(0, 5).Select(i => (10 + i, (byte)i))));
        Assert.That(incoming.Receive(receiver, block: false, out _), Is.Zero, "nothing more queued: a non-blocking receive returns at once");
    }

    [Test]
    public void Receive_DatagramLargerThanTheSlot_IsMarkedTruncated()
    {
        using Socket sender = Bound(IPAddress.Loopback);
        using Socket receiver = Bound(IPAddress.Loopback);
        using var incoming = new UdpBatch(4, 16);
        sender.SendTo(new byte[40], receiver.LocalEndPoint!);
        sender.SendTo(new byte[16], receiver.LocalEndPoint!);
        int seen = 0;
        var truncated = new List<bool>();
        while (seen < 2)
        {
            int n = incoming.Receive(receiver, block: true, out _);
            for (int i = 0; i < n; i++, seen++)
            {
                truncated.Add(incoming.IsTruncated(i));
                Assert.That(incoming.Data(i).Length, Is.EqualTo(16));
            }
        }

        Assert.That(truncated, Is.EqualTo(new[] { true, false }));
    }

    [Test]
    public void TryAdd_FullBatchOrOversizedDatagram_IsRefused()
    {
        using var batch = new UdpBatch(2, 32);
        SocketAddress to = new IPEndPoint(IPAddress.Loopback, 9).Serialize();
        Assert.That(batch.TryAdd(new byte[33], to), Is.False);
        Assert.That(batch.TryAdd(new byte[32], to), Is.True);
        Assert.That(batch.TryAdd(new byte[1], to), Is.True);
        Assert.That(batch.TryAdd(new byte[1], to), Is.False);
        Assert.That(batch.Count, Is.EqualTo(2));
    }

    private static Socket Bound(IPAddress address)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }
}
