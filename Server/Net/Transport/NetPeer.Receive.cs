using System.Diagnostics;
using Realm.Server.Net.Fragmentation;
using Realm.Server.Net.Reliability;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Net.Transport;

/// <summary>The receive side of <see cref="NetPeer"/>: duplicate checks, per-channel ordering and sequencing, reassembly, delivery.</summary>
internal sealed partial class NetPeer
{
    /// <summary>Handles a data datagram from this peer: acks, duplicate check, then every message in it.</summary>
    internal void ReceiveData<TListener>(ReadOnlySpan<byte> datagram, long now, Span<byte> scratch, ref TListener listener)
        where TListener : INetEventListener
    {
        var reader = new PacketReader(datagram);
        if (!DataHeader.TryRead(ref reader, out DataHeader header))
        {
            _host.Statistics.Drop(DropReason.BadHeader);
            return;
        }

        LastReceived = now;
        ApplyAck(header.Ack, header.AckBits, now);
        if (_window.Record(header.Sequence) != ReceiveResult.New)
        {
            Statistics.DuplicatesField++;
            _host.Statistics.DuplicatesField++;
            _ackPending = true; // our ack may have been lost: repeat it
            _host.MarkDirty(this);
            return;
        }

        _ackPending = true;
        _host.MarkDirty(this);
        if (++_receivedSinceAck >= AckEvery)
        {
            SendAck(now, scratch);
        }

        var frames = new MessageFrameReader(datagram[reader.Position..]);
        FrameReadStatus status;
        while ((status = frames.TryReadNext(out FramedMessage message)) == FrameReadStatus.Message)
        {
            HandleMessage(message, now, ref listener);
            if (State != NetPeerState.Connected)
            {
                return; // the application disconnected it from a callback
            }
        }

        if (status == FrameReadStatus.Malformed)
        {
            _host.Statistics.Drop(DropReason.BadFraming);
        }
    }

    /// <summary>Handles an ack-only datagram.</summary>
    internal void ReceiveAck(ReadOnlySpan<byte> datagram, long now)
    {
        if (!AckHeader.TryRead(datagram, out AckHeader header))
        {
            _host.Statistics.Drop(DropReason.BadHeader);
            return;
        }

        LastReceived = now;
        ApplyAck(header.Ack, header.AckBits, now);
    }

    private void HandleMessage<TListener>(FramedMessage message, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        int mc = ((int)message.Method * MessageFrameWriter.Channels) + message.Channel;
        switch (message.Method)
        {
            case DeliveryMethod.Unreliable:
                Accept(message.Payload, message.Method, message.Channel, message.Fragment, reliable: false, now, ref listener);
                break;
            case DeliveryMethod.UnreliableSequenced:
            case DeliveryMethod.ReliableSequenced:
                {
                    ReceiveChannel ch = Channel(mc);
                    bool newer = !ch.Any || SequenceNumber.IsNewer(message.Sequence, ch.Last);
                    bool reliable = message.Method == DeliveryMethod.ReliableSequenced;
                    if (!message.Fragment.IsFragment)
                    {
                        if (newer)
                        {
                            ch.Any = true;
                            ch.Last = message.Sequence;
                            Deliver(message.Payload, message.Method, message.Channel, ref listener);
                        }
                        else
                        {
                            CountDuplicate();
                        }
                    }
                    else if (newer || reliable)
                    {
                        // Reliable fragments are always stored, so every group completes and frees its slot;
                        // a completed message older than one already delivered is then dropped.
                        ch.PendingSequence = message.Sequence;
                        Accept(message.Payload, message.Method, message.Channel, message.Fragment, reliable, now, ref listener);
                    }

                    break;
                }

            case DeliveryMethod.ReliableUnordered:
                {
                    ReceiveChannel ch = Channel(mc);
                    int mark = ch.MarkUnordered(message.Sequence, _out.Length);
                    if (mark == 0)
                    {
                        Accept(message.Payload, message.Method, message.Channel, message.Fragment, reliable: true, now, ref listener);
                    }
                    else if (mark < 0)
                    {
                        CountDuplicate();
                    }
                    else
                    {
                        _host.Statistics.Drop(DropReason.OutOfWindow);
                    }

                    break;
                }

            case DeliveryMethod.ReliableOrdered:
                ReceiveOrdered(message, mc, now, ref listener);
                break;
        }
    }

    private void ReceiveOrdered<TListener>(FramedMessage message, int mc, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        ReceiveChannel ch = Channel(mc);
        int distance = SequenceNumber.Distance(ch.Expected, message.Sequence);
        if (distance < 0)
        {
            CountDuplicate();
            return;
        }

        if (distance >= _out.Length)
        {
            _host.Statistics.Drop(DropReason.OutOfWindow);
            return;
        }

        if (distance > 0)
        {
            if (!ch.Buffer(message.Sequence, message.Payload, message.Fragment, _out.Length, _host.Blocks))
            {
                CountDuplicate();
            }

            return;
        }

        ch.Expected++;
        Accept(message.Payload, message.Method, message.Channel, message.Fragment, reliable: true, now, ref listener);
        while (State == NetPeerState.Connected && ch.TryTakeBuffered(ch.Expected, out byte[] block, out int length, out FragmentInfo fragment))
        {
            ch.Expected++;
            try
            {
                Accept(block.AsSpan(0, length), message.Method, message.Channel, fragment, reliable: true, now, ref listener);
            }
            finally
            {
                _host.Blocks.Return(block);
            }
        }
    }

    /// <summary>Delivers a whole message, or feeds a fragment to the right reassembler and delivers the message it completes.</summary>
    private void Accept<TListener>(ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel, FragmentInfo fragment, bool reliable, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        if (!fragment.IsFragment)
        {
            Deliver(payload, method, channel, ref listener);
            return;
        }

        FragmentReassembler parts = reliable
            ? _reliableParts ??= new FragmentReassembler(_options.MaxMessageBytes, _options.MaxFragmentedInFlight, _options.MaxFragmentedInFlight * _options.MaxMessageBytes, long.MaxValue / 4)
            : _unreliableParts ??= new FragmentReassembler(_options.MaxMessageBytes, 8, _options.UnreliableReassemblyBytes, (long)(_options.DisconnectTimeout.TotalSeconds * Stopwatch.Frequency));
        ReassemblyStatus status = parts.Add(fragment.Group, fragment.Count, fragment.Index, fragment.Total, payload, now, out ReassembledMessage whole);
        switch (status)
        {
            case ReassemblyStatus.Completed:
                try
                {
                    if (method is DeliveryMethod.UnreliableSequenced or DeliveryMethod.ReliableSequenced)
                    {
                        ReceiveChannel ch = Channel(((int)method * MessageFrameWriter.Channels) + channel);
                        if (ch.Any && !SequenceNumber.IsNewer(ch.PendingSequence, ch.Last))
                        {
                            CountDuplicate(); // a newer message was delivered while this one was in pieces
                            return;
                        }

                        ch.Any = true;
                        ch.Last = ch.PendingSequence;
                    }

                    Deliver(whole.Span, method, channel, ref listener);
                }
                finally
                {
                    whole.Dispose();
                }

                break;
            case ReassemblyStatus.Incomplete:
                break;
            case ReassemblyStatus.Duplicate:
                CountDuplicate();
                break;
            default:
                _host.Statistics.Drop(DropReason.BadFragment);
                break;
        }
    }

    private void Deliver<TListener>(ReadOnlySpan<byte> payload, DeliveryMethod method, byte channel, ref TListener listener)
        where TListener : INetEventListener
    {
        Statistics.MessagesReceivedField++;
        _host.Statistics.MessagesReceivedField++;
        listener.OnMessage(this, payload, method, channel);
    }

    private void CountDuplicate()
    {
        Statistics.DuplicatesField++;
        _host.Statistics.DuplicatesField++;
    }

    private ReceiveChannel Channel(int mc) => _channels[mc] ??= new ReceiveChannel();
}
