using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Native;

namespace Realm.Server.Net.Transport;

/// <summary>
/// The host's datagram I/O: the receive-thread queue or inline socket reads, and sends. On 64-bit Linux
/// both directions go through <see cref="UdpBatch"/> (<c>recvmmsg</c>/<c>sendmmsg</c>): sends collect
/// during <c>Poll</c>/<c>Flush</c> and leave in one system call per batch when the call returns.
/// </summary>
internal sealed partial class NetHost
{
    /// <summary>Receive thread: a datagram for the logic thread (only the size is checked here).</summary>
    void IDatagramSink.OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (datagram.Length > Options.Mtu)
        {
            Statistics.Drop(DropReason.Oversized);
            return;
        }

        if (!_queue!.TryEnqueue(datagram, from))
        {
            Statistics.Drop(DropReason.ReceiveQueueFull);
            return;
        }

        if (Volatile.Read(ref _consumerWaiting) != 0)
        {
            _signal.Set();
        }
    }

    /// <returns>The timestamp the datagrams were processed with, or 0 when none was there.</returns>
    private long PollQueue<TListener>(ref TListener listener, TimeSpan wait)
        where TListener : INetEventListener
    {
        InboundQueue queue = _queue!;
        if (wait > TimeSpan.Zero && queue.Count == 0)
        {
            _signal.Reset();
            Volatile.Write(ref _consumerWaiting, 1);
            if (queue.Count == 0)
            {
                _signal.Wait(wait);
            }

            Volatile.Write(ref _consumerWaiting, 0);
        }

        // Only what is there now: a flood cannot keep Poll from returning.
        int count = queue.Count;
        if (count == 0)
        {
            return 0;
        }

        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < count && queue.TryPeek(out DatagramBuffer slot); i++)
        {
            Process(slot.Data, slot.Address, now, ref listener);
            queue.Release();
        }

        return now;
    }

    /// <returns>The timestamp the datagrams were processed with, or 0 when none was there.</returns>
    private long PollSocket<TListener>(ref TListener listener, TimeSpan wait)
        where TListener : INetEventListener
    {
        if (!_batchedReceive)
        {
            return PollSocketOneByOne(ref listener, wait);
        }

        ThreadIo.SharedReceive rented = ThreadIo.Current.RentReceive(Options.IoBatchDatagrams, _mtu + 1);
        try
        {
            return PollBatch(rented.Batch, ref listener, wait);
        }
        finally
        {
            ThreadIo.Return(rented);
        }
    }

    private long PollBatch<TListener>(UdpBatch batch, ref TListener listener, TimeSpan wait)
        where TListener : INetEventListener
    {
        // One non-blocking recvmmsg first: when data is there (the busy case) that is the only call.
        Socket socket = _socket!;
        int descriptor = _descriptor;
        int received = batch.Receive(descriptor, block: false, out _);
        if (received <= 0)
        {
            if (wait <= TimeSpan.Zero || !socket.Poll(wait, SelectMode.SelectRead))
            {
                return 0;
            }

            received = batch.Receive(descriptor, block: false, out _);
            if (received <= 0)
            {
                return 0;
            }
        }

        long now = Stopwatch.GetTimestamp();
        for (int total = 0; received > 0 && total < MaxInlineDatagramsPerPoll; total += received)
        {
            for (int i = 0; i < received; i++)
            {
                if (batch.IsTruncated(i))
                {
                    Statistics.Drop(DropReason.Oversized);
                    continue;
                }

                ReadOnlySpan<byte> datagram = batch.Data(i);
                if (datagram.Length > 0 && IsPeerKind(datagram[0]) && TryFindPeer(batch, i, out NetPeer? peer))
                {
                    CountReceived(datagram);
                    ProcessPeerDatagram(datagram, peer, now, ref listener);
                    continue;
                }

                batch.ReadAddress(i, _inlineFrom!);
                Process(datagram, _inlineFrom!, now, ref listener);
            }

            // A full batch may have left more behind; a partial one drained the socket.
            received = received == batch.Capacity ? batch.Receive(descriptor, block: false, out _) : 0;
        }

        return now;
    }

    private long PollSocketOneByOne<TListener>(ref TListener listener, TimeSpan wait)
        where TListener : INetEventListener
    {
        Socket socket = _socket!;
        if (!socket.Poll(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, SelectMode.SelectRead))
        {
            return 0;
        }

        // poll(2) rather than FIONREAD: FIONREAD reports the next datagram's size, which is 0 for an
        // empty datagram — that would stall the socket behind it.
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < MaxInlineDatagramsPerPoll && (i == 0 || socket.Poll(TimeSpan.Zero, SelectMode.SelectRead)); i++)
        {
            int received;
            try
            {
                received = socket.ReceiveFrom(_inlineBuffer!, SocketFlags.None, _inlineFrom!);
            }
            catch (SocketException)
            {
                continue; // an ICMP error from an earlier send on some platforms; nothing to do with this datagram
            }

            if (received > Options.Mtu)
            {
                Statistics.Drop(DropReason.Oversized);
                continue;
            }

            Process(_inlineBuffer.AsSpan(0, received), _inlineFrom!, now, ref listener);
        }

        return now;
    }

    private void Send(ReadOnlySpan<byte> datagram, SocketAddress to, long now)
    {
        Statistics.DatagramsSentField++;
        Statistics.BytesSentField += datagram.Length;
        if (_conditioner is not null)
        {
            var sender = new Sender(this);
            _conditioner.Submit(datagram, to, now, ref sender);
        }
        else
        {
            SendRaw(datagram, to);
        }
    }

    /// <summary>
    /// An in-memory transport for tests and benchmarks: when set, every outgoing datagram goes to the tap
    /// instead of the socket, and the other side is fed with <see cref="Inject"/>.
    /// </summary>
    internal IDatagramTap? Tap { get; set; }

    /// <summary>Processes one datagram as if it had arrived from <paramref name="from"/> (with <see cref="Tap"/>).</summary>
    internal void Inject<TListener>(ReadOnlySpan<byte> datagram, SocketAddress from, ref TListener listener)
        where TListener : INetEventListener
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Process(datagram, from, Stopwatch.GetTimestamp(), ref listener);
        RaiseDisconnects(ref listener);
        FlushSends();
    }

    private void SendRaw(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (Tap is not null)
        {
            Tap.OnSend(datagram, to);
            return;
        }

        if (_batchedSend)
        {
            ThreadIo.SharedSend send = ThreadIo.Current.Send(Options.IoBatchDatagrams, _mtu);
            if (send.Owner != this)
            {
                send.Owner?.FlushSends(send); // another host of this thread called from a callback: its datagrams leave first
                send.Owner = this;
            }

            if (!send.Batch.TryAdd(datagram, to, withAddress: !_socketConnected))
            {
                FlushSends(send);
                send.Owner = this;
                send.Batch.TryAdd(datagram, to, withAddress: !_socketConnected);
            }

            return;
        }

        try
        {
            if (_socketConnected)
            {
                _socket!.Send(datagram, SocketFlags.None); // connected (ConnectSocket): every peer address is the server's
            }
            else
            {
                _socket!.SendTo(datagram, SocketFlags.None, to);
            }
        }
        catch (SocketException)
        {
            // e.g. ENOBUFS under a burst, or an ICMP error reported late; UDP may drop, reliability resends.
            Interlocked.Increment(ref Statistics.SendErrorsField);
        }
    }

    /// <summary>Sends the datagrams collected in the send batch; every public call that can send ends here.</summary>
    private void FlushSends()
    {
        if (_batchedSend)
        {
            ThreadIo.SharedSend send = ThreadIo.Current.Send(Options.IoBatchDatagrams, _mtu);
            if (send.Owner == this)
            {
                FlushSends(send);
            }
        }
    }

    /// <summary>Sends this host's datagrams held in <paramref name="send"/> and empties it.</summary>
    private void FlushSends(ThreadIo.SharedSend send)
    {
        send.Owner = null;
        if (send.Batch.Count == 0)
        {
            return;
        }

        if (_descriptor < 0)
        {
            send.Batch.Clear(); // closed since (a callback disposed it): nowhere to send them
            return;
        }

        int failed = send.Batch.Send(_descriptor);
        if (failed > 0)
        {
            Interlocked.Add(ref Statistics.SendErrorsField, failed);
        }
    }

    private void ReleaseDelayed(long now)
    {
        if (_conditioner is not null)
        {
            var sender = new Sender(this);
            _conditioner.Release(now, ref sender);
        }
    }

    private readonly struct Sender : IDatagramSender
    {
        private readonly NetHost _host;

        public Sender(NetHost host) => _host = host;

        public void SendNow(ReadOnlySpan<byte> datagram, SocketAddress to) => _host.SendRaw(datagram, to);
    }
}

/// <summary>Receives a host's outgoing datagrams in place of its socket (see <see cref="NetHost.Tap"/>).</summary>
internal interface IDatagramTap
{
    void OnSend(ReadOnlySpan<byte> datagram, SocketAddress to);
}
