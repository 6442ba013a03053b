using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Tests.Net.Transport;

/// <summary>
/// The steady-state pump allocates nothing (TARGETS.md: 0 B per message). Both hosts poll their sockets
/// inline, so every allocation of the path — socket reads, dispatch, the echo's send, flush, acks —
/// happens on the test thread and is counted by <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class NetHostAllocationTests
{
    [Test]
    public void EchoPump_AfterWarmUp_AllocatesZeroBytesPerMessage([Values] bool reliable, [Values(1, 32)] int ioBatch)
    {
        DeliveryMethod method = reliable ? DeliveryMethod.ReliableOrdered : DeliveryMethod.Unreliable;
        using var net = new Loopback(new NetHostOptions { ReceiveThread = false, IoBatchDatagrams = ioBatch });
        (NetHost client, Recorder events, NetPeer peer) = net.AddClient(new NetHostOptions { ReceiveThread = false, IoBatchDatagrams = ioBatch });
        Assert.That(net.PumpUntil(() => peer.State == NetPeerState.Connected && net.ServerEvents.Connected.Count == 1, TimeSpan.FromSeconds(10)), Is.True);
        net.ServerEvents.CountOnly = true;
        events.CountOnly = true;
        net.ServerEvents.OnMessageHook = (p, payload) => p.Send(payload, method);
        byte[] payload = new byte[32];

        RunRounds(net, events, peer, payload, method, 2_000); // warm-up: pools, tiered JIT, dictionaries
        long before = GC.GetAllocatedBytesForCurrentThread();
        long echoed = RunRounds(net, events, peer, payload, method, 5_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(echoed, Is.GreaterThanOrEqualTo(method == DeliveryMethod.ReliableOrdered ? 5_000 : 4_500), "the echoes came back");
        Assert.That(allocated, Is.Zero, $"{allocated} bytes for {echoed} round trips");
    }

    /// <summary>Sends one message per round and pumps until it is echoed (or a short wait ends, for unreliable loss); returns echoes seen.</summary>
    private static long RunRounds(Loopback net, Recorder events, NetPeer peer, byte[] payload, DeliveryMethod method, int rounds)
    {
        long start = events.MessageCount;
        for (int i = 0; i < rounds; i++)
        {
            long expected = events.MessageCount + 1;
            BitConverter.TryWriteBytes(payload, i);
            SendResult result = peer.Send(payload, method);
            if (result != SendResult.Queued)
            {
                Assert.Fail($"send {i}: {result}"); // (Assert.That would allocate in the measured loop)
            }

            for (int spin = 0; spin < 1_000 && events.MessageCount < expected; spin++)
            {
                net.PumpOnce();
            }
        }

        return events.MessageCount - start;
    }
}
