using BenchmarkDotNet.Attributes;
using Realm.Server.Net.Reliability;

namespace Realm.Server.Benchmarks.Net;

/// <summary>
/// Question: what does receive-side ack tracking cost per datagram? One operation records 64 arriving
/// sequence numbers (every 16th missing, one pair swapped, two duplicates) and produces the ack +
/// 64-bit bitfield each outgoing datagram carries. Baseline: the obvious HashSet of received numbers,
/// trimmed to the last 64 and queried bit by bit; Realm: <see cref="ReceiveWindow"/>.
/// </summary>
[MemoryDiagnoser]
public class AckTrackingBenchmarks
{
    private readonly ushort[] _arrivals = new ushort[64];
    private readonly HashSet<ushort> _set = new();
    private readonly Queue<ushort> _order = new();
    private ReceiveWindow _window; // a struct: the benchmark copies it to a local and writes it back
    private ushort _base;

    [GlobalSetup]
    public void Setup()
    {
        int n = 0;
        for (int i = 0; i < 66 && n < 64; i++)
        {
            if (i % 16 != 15)
            {
                _arrivals[n++] = (ushort)i;
            }
        }

        (_arrivals[40], _arrivals[41]) = (_arrivals[41], _arrivals[40]); // a reordering

        // Correctness: both produce the same ack and bitfield, also across the 16-bit wrap.
        for (int round = 0; round < 2_000; round++)
        {
            ulong naive = HashSetTracking();
            _base -= 64;
            ulong realm = ReceiveWindowTracking();
            if (naive != realm)
            {
                throw new InvalidOperationException($"round {round}: HashSet tracking gave {naive:X}, ReceiveWindow {realm:X}");
            }
        }
    }

    [Benchmark(Baseline = true)]
    public ulong HashSetTracking()
    {
        ushort newest = 0;
        bool any = false;
        foreach (ushort offset in _arrivals)
        {
            ushort sequence = (ushort)(_base + offset);
            if (!_set.Add(sequence))
            {
                continue;
            }

            _order.Enqueue(sequence);
            if (!any || SequenceNumber.IsNewer(sequence, newest))
            {
                newest = sequence;
                any = true;
            }

            while (_order.Count > 65)
            {
                _set.Remove(_order.Dequeue());
            }
        }

        ulong bits = 0;
        for (int bit = 0; bit < 64; bit++)
        {
            if (_set.Contains((ushort)(newest - 1 - bit)))
            {
                bits |= 1UL << bit;
            }
        }

        _base += 64;
        return bits ^ newest;
    }

    [Benchmark]
    public ulong ReceiveWindowTracking()
    {
        ReceiveWindow window = _window;
        foreach (ushort offset in _arrivals)
        {
            window.Record((ushort)(_base + offset));
        }

        _window = window;
        _base += 64;
        return window.AckBits ^ window.Ack;
    }
}
