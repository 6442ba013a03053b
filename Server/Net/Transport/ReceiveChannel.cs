using Realm.Server.Net.Reliability;
using Realm.Server.Net.Wire;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Receive state of one method and channel of a peer: the newest sequence number delivered (sequenced
/// methods), which sequence numbers arrived (unordered: a ring of bits above the lowest missing one), or
/// the next expected number plus messages that arrived early (ordered: held in pooled blocks). The window
/// is the sender's queue size — a compliant sender never has a message further ahead unacknowledged.
/// </summary>
internal sealed class ReceiveChannel
{
    private ulong[]? _seen;
    private ushort _seenBase;
    private Held[]? _held;

    /// <summary>Sequenced: something was delivered; <see cref="Last"/> is valid.</summary>
    public bool Any { get; set; }

    /// <summary>Sequenced: the newest sequence number delivered.</summary>
    public ushort Last { get; set; }

    /// <summary>Sequenced: the sequence number of the fragment being reassembled.</summary>
    public ushort PendingSequence { get; set; }

    /// <summary>Ordered: the next sequence number to deliver.</summary>
    public ushort Expected { get; set; }

    /// <summary>Unordered: records <paramref name="sequence"/>; 0 when new, -1 when already seen, 1 when beyond the window.</summary>
    public int MarkUnordered(ushort sequence, int window)
    {
        _seen ??= new ulong[window / 64];
        int distance = SequenceNumber.Distance(_seenBase, sequence);
        if (distance < 0)
        {
            return -1;
        }

        if (distance >= window)
        {
            return 1;
        }

        int mask = window - 1;
        int bit = sequence & mask;
        ulong flag = 1UL << (bit & 63);
        if ((_seen[bit >> 6] & flag) != 0)
        {
            return -1;
        }

        _seen[bit >> 6] |= flag;
        while (true)
        {
            int b = _seenBase & mask;
            ulong f = 1UL << (b & 63);
            if ((_seen[b >> 6] & f) == 0)
            {
                return 0;
            }

            _seen[b >> 6] &= ~f;
            _seenBase++;
        }
    }

    /// <summary>Ordered: keeps a message that arrived before its turn; false when it is already held.</summary>
    public bool Buffer(ushort sequence, ReadOnlySpan<byte> payload, FragmentInfo fragment, int window, BlockPool pool)
    {
        _held ??= new Held[window];
        ref Held slot = ref _held[sequence & (window - 1)];
        if (slot.Block is not null)
        {
            return false;
        }

        byte[] block = pool.Rent(payload.Length);
        payload.CopyTo(block);
        slot = new Held { Block = block, Length = payload.Length, Fragment = fragment };
        return true;
    }

    /// <summary>Ordered: takes the held message with <paramref name="sequence"/>, if it arrived.</summary>
    public bool TryTakeBuffered(ushort sequence, out byte[] block, out int length, out FragmentInfo fragment)
    {
        if (_held is not null)
        {
            ref Held slot = ref _held[sequence & (_held.Length - 1)];
            if (slot.Block is not null)
            {
                block = slot.Block;
                length = slot.Length;
                fragment = slot.Fragment;
                slot = default;
                return true;
            }
        }

        block = null!;
        length = 0;
        fragment = default;
        return false;
    }

    public void ReleaseAll(BlockPool pool)
    {
        if (_held is null)
        {
            return;
        }

        for (int i = 0; i < _held.Length; i++)
        {
            if (_held[i].Block is { } block)
            {
                pool.Return(block);
                _held[i] = default;
            }
        }
    }

    private struct Held
    {
        public byte[]? Block;
        public int Length;
        public FragmentInfo Fragment;
    }
}
