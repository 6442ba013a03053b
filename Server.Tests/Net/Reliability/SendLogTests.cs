using System.Diagnostics;
using Realm.Server.Net.Reliability;

namespace Realm.Server.Tests.Net.Reliability;

[TestFixture]
[CancelAfter(30_000)]
public sealed class SendLogTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    [Test]
    public void TryAdd_UpToCapacity_AssignsConsecutiveSequencesThenPushesBack()
    {
        var log = new SendLog(new RttEstimator(), capacity: 64);
        for (int i = 0; i < 64; i++)
        {
            Assert.That(log.TryAdd(0, i, out ushort s), Is.True);
            Assert.That(s, Is.EqualTo((ushort)i));
        }

        Assert.That(log.TryAdd(0, 64, out _), Is.False, "a full log pushes back instead of overwriting");
        Assert.That(log.InFlight, Is.EqualTo(64));

        var listener = new Recorder();
        log.OnAck(0, 0, 10 * Ms, ref listener);
        Assert.That(listener.Delivered, Is.EqualTo(new[] { 0 }));
        Assert.That(log.TryAdd(10 * Ms, 64, out ushort next), Is.True, "an ack frees a slot");
        Assert.That(next, Is.EqualTo(64));
    }

    [Test]
    public void OnAck_AckAndBits_DeliverExactlyTheCoveredDatagramsOnceWithTheirTokens()
    {
        var log = new SendLog(new RttEstimator());
        for (int i = 0; i < 4; i++)
        {
            log.TryAdd(0, 100 + i, out _);
        }

        var listener = new Recorder();
        log.OnAck(3, 0b011, Ms, ref listener); // 3, 2 and 1 received; 0 not mentioned
        log.OnAck(3, 0b011, Ms, ref listener); // the same ack again
        Assert.That(listener.Delivered, Is.EquivalentTo(new[] { 103, 102, 101 }));
        Assert.That(listener.Lost, Is.EqualTo(new[] { (100, LossReason.PacketThreshold) }), "0 is 3 behind the newest acknowledged");
        Assert.That(log.InFlight, Is.Zero);
    }

    [Test]
    public void OnAck_GapSmallerThanThreshold_WaitsForTheTimeThreshold()
    {
        var rtt = new RttEstimator();
        var log = new SendLog(rtt);
        log.TryAdd(0, 0, out _);
        log.TryAdd(0, 1, out _);
        var listener = new Recorder();
        log.OnAck(1, 0, 20 * Ms, ref listener); // 0 missing, only 1 behind; RTT sample 20 ms
        Assert.That(listener.Lost, Is.Empty, "one later datagram is not enough and 20 ms < 9/8 × 20 ms");

        log.TryAdd(21 * Ms, 2, out _);
        log.OnAck(2, 0b1, 30 * Ms, ref listener); // 0 is now 30 ms old > 9/8 × RTT (~20 ms)
        Assert.That(listener.Lost, Is.EqualTo(new[] { (0, LossReason.TimeThreshold) }));
    }

    [Test]
    public void DetectTimeouts_NoAckPastTheRto_LosesEverythingOnceAndBacksOff()
    {
        var rtt = new RttEstimator(minRto: 50, maxRto: 2_000, initialRto: 200);
        var log = new SendLog(rtt);
        log.TryAdd(0, 7, out _);
        log.TryAdd(10 * Ms, 8, out _);
        var listener = new Recorder();
        log.DetectTimeouts(199 * Ms, ref listener);
        Assert.That(listener.Lost, Is.Empty);
        log.DetectTimeouts(205 * Ms, ref listener);
        Assert.That(listener.Lost, Is.EqualTo(new[] { (7, LossReason.Timeout) }));
        Assert.That(rtt.Rto, Is.EqualTo(400), "RFC 6298 5.5: back off");
        log.DetectTimeouts(10_000 * Ms, ref listener);
        Assert.That(listener.Lost, Is.EqualTo(new[] { (7, LossReason.Timeout), (8, LossReason.Timeout) }));
        Assert.That(log.InFlight, Is.Zero);
    }

    [Test]
    public void OnAck_SampleFromTheNewestAcked_FeedsTheEstimator()
    {
        var rtt = new RttEstimator();
        var log = new SendLog(rtt);
        log.TryAdd(0, 0, out _);
        var listener = new Recorder();
        log.OnAck(0, 0, 42 * Ms, ref listener);
        Assert.That(rtt.LatestRtt, Is.EqualTo(42).Within(0.01));
        log.OnAck(0, 0, 99 * Ms, ref listener);
        Assert.That(rtt.LatestRtt, Is.EqualTo(42).Within(0.01), "a repeated ack is no new sample (Karn)");
    }

    [Test]
    public void LossyChannel_ManyWraps_EveryDatagramReportedOnceAndDeliveredIffReceived()
    {
        var random = new Random(9002);
        var log = new SendLog(new RttEstimator(), capacity: 1024);
        var receiver = new ReceiveWindow();
        var listener = new Recorder { TrackByToken = true };
        var received = new HashSet<int>();
        long now = 0;
        int sent = 0;
        const int Total = 200_000; // > 3 wraps of the 16-bit space
        while (sent < Total)
        {
            // Send a burst of up to 8 datagrams, each lost with 10 % probability.
            for (int b = 0; b < 8 && sent < Total; b++)
            {
                if (!log.TryAdd(now, sent, out ushort sequence))
                {
                    break;
                }

                if (random.NextDouble() >= 0.10)
                {
                    receiver.Record(sequence);
                    received.Add(sent);
                }

                sent++;
            }

            now += 2 * Ms;
            // The receiver's ack rides the next datagram back; 1 % of those are lost too.
            if (receiver.HasReceived && random.NextDouble() >= 0.01)
            {
                log.OnAck(receiver.Ack, receiver.AckBits, now, ref listener);
            }

            log.DetectTimeouts(now, ref listener);
        }

        log.DetectTimeouts(now + (60_000 * Ms), ref listener);
        Assert.That(log.InFlight, Is.Zero);
        Assert.That(listener.Reports, Is.EqualTo(Total), "every datagram is reported exactly once");
        Assert.That(listener.DoubleReports, Is.Zero);
        Assert.That(listener.DeliveredTokens.SetEquals(received), Is.True, "delivered exactly the datagrams that arrived");
    }

    [Test]
    public void Tokens_KeepAll64Bits_InTheLogAndInTheReports()
    {
        var log = new SendLog(new RttEstimator(), capacity: 64);
        long[] tokens = [long.MaxValue, (1L << 48) | 0xFFFF, -1, 0];
        foreach (long token in tokens)
        {
            Assert.That(log.TryAdd(0, token, out ushort sequence), Is.True);
            Assert.That(log.TokenOf(sequence), Is.EqualTo(token));
        }

        var listener = new WideRecorder();
        log.OnAck(3, 0b111, 5 * Ms, ref listener); // acks 3 and 2, 1, 0
        Assert.That(listener.Tokens, Is.EquivalentTo(tokens));
    }

    private struct WideRecorder : ISendLogListener
    {
        public WideRecorder()
        {
        }

        public List<long> Tokens { get; } = [];

        public readonly void OnDelivered(ushort sequence, long token) => Tokens.Add(token);

        public readonly void OnLost(ushort sequence, long token, LossReason reason) => Assert.Fail($"datagram {sequence} reported lost");
    }

    private struct Recorder : ISendLogListener
    {
        public Recorder()
        {
        }

        public List<int> Delivered { get; } = [];

        public List<(int Token, LossReason Reason)> Lost { get; } = [];

        public bool TrackByToken { get; init; }

        public HashSet<int> DeliveredTokens { get; } = [];

        public HashSet<int> Seen { get; } = [];

        public int Reports { get; private set; }

        public int DoubleReports { get; private set; }

        public void OnDelivered(ushort sequence, long wide)
        {
            int token = checked((int)wide);
            Count(token);
            if (TrackByToken)
            {
                DeliveredTokens.Add(token);
            }
            else
            {
                Delivered.Add(token);
            }
        }

        public void OnLost(ushort sequence, long wide, LossReason reason)
        {
            int token = checked((int)wide);
            Count(token);
            if (!TrackByToken)
            {
                Lost.Add((token, reason));
            }
        }

        private void Count(int token)
        {
            Reports++;
            if (!Seen.Add(token))
            {
                DoubleReports++;
            }
        }
    }
}
