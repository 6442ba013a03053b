using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Impairs outgoing datagrams as <see cref="NetConditionerOptions"/> says: drops, duplicates, delays with
/// jitter, and holds some back long enough for later ones to overtake them. Delayed datagrams wait in a
/// priority queue by due time, in buffers reused from a pool, and leave when the host pumps
/// (<see cref="Release"/>). At most <see cref="MaxPending"/> wait; beyond that they go out at once, so
/// memory stays bounded. Owned by the logic thread.
/// </summary>
internal sealed class NetConditioner
{
    public const int MaxPending = 65_536;

    private readonly NetConditionerOptions _options;
    private readonly Random _random;
    private readonly PriorityQueue<DatagramBuffer, long> _pending;
    private readonly Stack<DatagramBuffer> _free;
    private readonly int _datagramBytes;
    private readonly AddressFamily _family;
    private readonly long _latencyTicks;
    private readonly long _jitterTicks;
    private readonly long _reorderTicks;

    public NetConditioner(NetConditionerOptions options, int datagramBytes, AddressFamily family)
    {
        _options = options;
        _random = new Random(options.Seed);
        _datagramBytes = datagramBytes;
        _family = family;
        _latencyTicks = ToTicks(options.Latency);
        _jitterTicks = ToTicks(options.Jitter);
        _reorderTicks = (2 * _latencyTicks) + _jitterTicks + ToTicks(TimeSpan.FromMilliseconds(5));

        // Buffers for the datagrams held back at once; more are made (and kept) only past this many, so a
        // measured stage after warm-up allocates nothing.
        _pending = new PriorityQueue<DatagramBuffer, long>(PreparedBuffers);
        _free = new Stack<DatagramBuffer>(PreparedBuffers);
        for (int i = 0; i < PreparedBuffers; i++)
        {
            _free.Push(new DatagramBuffer(datagramBytes, family));
        }
    }

    /// <summary>Delayed-datagram buffers made up front.</summary>
    public const int PreparedBuffers = 16;

    /// <summary>Datagrams dropped on purpose.</summary>
    public long Dropped { get; private set; }

    /// <summary>Extra copies sent.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Datagrams waiting now.</summary>
    public int Pending => _pending.Count;

    /// <summary>Applies the impairments to one datagram; what goes out now goes through <paramref name="send"/>.</summary>
    public void Submit<TSender>(ReadOnlySpan<byte> datagram, SocketAddress to, long now, ref TSender send)
        where TSender : struct, IDatagramSender
    {
        if (Roll(_options.LossPercent))
        {
            Dropped++;
            return;
        }

        int copies = 1;
        if (Roll(_options.DuplicatePercent))
        {
            copies = 2;
            Duplicated++;
        }

        for (int c = 0; c < copies; c++)
        {
            long delay = _latencyTicks + (_jitterTicks > 0 ? _random.NextInt64(_jitterTicks + 1) : 0);
            if (Roll(_options.ReorderPercent))
            {
                delay += 1 + _random.NextInt64(_reorderTicks);
            }

            if (delay == 0 || _pending.Count >= MaxPending)
            {
                send.SendNow(datagram, to);
                continue;
            }

            DatagramBuffer d = _free.TryPop(out DatagramBuffer? reused) ? reused : new DatagramBuffer(_datagramBytes, _family);
            d.Set(datagram, to);
            _pending.Enqueue(d, now + delay);
        }
    }

    /// <summary>When the next delayed datagram is due, in <see cref="Stopwatch"/> ticks; false when none waits.</summary>
    public bool TryGetNextDue(out long due) => _pending.TryPeek(out _, out due);

    /// <summary>Sends every delayed datagram due at <paramref name="now"/>.</summary>
    public void Release<TSender>(long now, ref TSender send)
        where TSender : struct, IDatagramSender
    {
        while (_pending.TryPeek(out DatagramBuffer? d, out long due) && due <= now)
        {
            _pending.Dequeue();
            send.SendNow(d.Data, d.Address);
            _free.Push(d);
        }
    }

    private static long ToTicks(TimeSpan t) => (long)(t.TotalSeconds * Stopwatch.Frequency);

    private bool Roll(double percent) => percent > 0 && _random.NextDouble() * 100 < percent;
}

/// <summary>Puts a datagram on the wire; implemented by a struct so the conditioner's calls are direct.</summary>
internal interface IDatagramSender
{
    void SendNow(ReadOnlySpan<byte> datagram, SocketAddress to);
}
