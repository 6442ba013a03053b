using Realm.Server.Net.Native;

namespace Realm.Server.Net.Transport;

/// <summary>
/// What the hosts called on one thread share: the scratch buffer outgoing datagrams are built in, the
/// message block pools, and the native send and receive batches. A load tester polls hundreds of client
/// hosts from one thread; with buffers of their own, each host's round trip missed the cache on lines that
/// the previous host had just had hot (docs/BENCHMARKS.md, "Transport cost with many peers"). Shared, they
/// stay hot.
/// <para>
/// Nothing here carries a host's data from one call into a host to the next, so a host may be called from
/// different threads over its life (never from two at once). The scratch holds a datagram only until it
/// is copied into a send batch, with no application callback in between. A send batch is emptied before
/// the call that filled it returns, and when another host of the thread adds to it first (a host called
/// from inside another's callback) the earlier host's datagrams leave on that host's socket. A receive
/// batch is rented for one poll and returned; a poll nested in a callback gets a batch of its own. Only
/// the pools keep free blocks between calls, at most <see cref="BlockPool.MaxRetained"/> per size and thread.
/// </para>
/// </summary>
internal sealed class ThreadIo
{
    [ThreadStatic]
    private static ThreadIo? _current;

    private readonly List<BlockPool> _pools = new(1);
    private readonly List<SharedSend> _sends = new(1);
    private readonly List<SharedReceive> _receives = new(1);
    private byte[] _scratch = [];

    /// <summary>This thread's.</summary>
    public static ThreadIo Current => _current ??= new ThreadIo();

    /// <summary>A buffer of at least <paramref name="bytes"/> bytes; valid until the next call into a host.</summary>
    public byte[] Scratch(int bytes)
    {
        if (_scratch.Length < bytes)
        {
            _scratch = GC.AllocateUninitializedArray<byte>(bytes);
        }

        return _scratch;
    }

    /// <summary>The pool whose large blocks are <paramref name="largeBytes"/> (the MTU of the hosts using it).</summary>
    public BlockPool Blocks(int largeBytes)
    {
        for (int i = 0; i < _pools.Count; i++)
        {
            if (_pools[i].LargeBytes == largeBytes)
            {
                return _pools[i];
            }
        }

        var pool = new BlockPool(largeBytes);
        _pools.Add(pool);
        return pool;
    }

    /// <summary>The send batch of this shape; see <see cref="SharedSend.Owner"/>.</summary>
    public SharedSend Send(int capacity, int slotBytes)
    {
        for (int i = 0; i < _sends.Count; i++)
        {
            if (_sends[i].Batch.Capacity == capacity && _sends[i].Batch.SlotBytes == slotBytes)
            {
                return _sends[i];
            }
        }

#pragma warning disable CA2000 // lives as long as the thread: its finalizer frees the native memory once the thread is gone
        var send = new SharedSend(new UdpBatch(capacity, slotBytes));
#pragma warning restore CA2000
        _sends.Add(send);
        return send;
    }

    /// <summary>A receive batch of this shape for one poll; give it back with <see cref="Return"/>.</summary>
    public SharedReceive RentReceive(int capacity, int slotBytes)
    {
        for (int i = 0; i < _receives.Count; i++)
        {
            SharedReceive r = _receives[i];
            if (!r.InUse && r.Batch.Capacity == capacity && r.Batch.SlotBytes == slotBytes)
            {
                r.InUse = true;
                return r;
            }
        }

#pragma warning disable CA2000 // as in Send
        var receive = new SharedReceive(new UdpBatch(capacity, slotBytes)) { InUse = true };
#pragma warning restore CA2000
        _receives.Add(receive);
        return receive;
    }

    public static void Return(SharedReceive receive)
    {
        receive.Batch.Clear();
        receive.InUse = false;
    }

    /// <summary>A thread's send batch and the host whose datagrams it holds.</summary>
    internal sealed class SharedSend(UdpBatch batch)
    {
        public UdpBatch Batch { get; } = batch;

        /// <summary>The host the queued datagrams belong to; null when the batch is empty.</summary>
        public NetHost? Owner { get; set; }
    }

    /// <summary>A thread's receive batch, rented by one poll at a time.</summary>
    internal sealed class SharedReceive(UdpBatch batch)
    {
        public UdpBatch Batch { get; } = batch;

        public bool InUse { get; set; }
    }
}
