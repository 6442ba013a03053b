using System.Buffers;

namespace Realm.Server.Net.Fragmentation;

/// <summary>
/// Rebuilds messages that were split into fragments, for one peer. A message of <c>total</c> bytes in
/// <c>count</c> fragments is cut into chunks of ceil(total / count) bytes, the last one shorter; every
/// fragment carries (group id, count, index, total), so each can be checked on its own and stored at
/// its offset whatever order fragments arrive in, and a repeated fragment is recognised.
/// </summary>
/// <remarks>
/// Memory is bounded per peer, so a fragment flood cannot grow it: at most
/// <see cref="MaxIncompleteMessages"/> messages are being rebuilt at once, together holding at most
/// <see cref="MaxBufferedBytes"/>; a message that stays incomplete for <see cref="TimeoutTicks"/> is
/// dropped (<see cref="Expire"/>, also run by <see cref="Add"/>). Buffers come from
/// <see cref="ArrayPool{T}.Shared"/>. Owned by the logic thread; not thread-safe.
/// </remarks>
internal sealed class FragmentReassembler : IDisposable
{
    private readonly Group[] _groups;
    private long _bufferedBytes;

    /// <param name="maxMessageBytes">Largest message accepted (default 256 KiB).</param>
    /// <param name="maxIncompleteMessages">Messages rebuilt at once (default 8).</param>
    /// <param name="maxBufferedBytes">Bytes held by incomplete messages together (default 1 MiB).</param>
    /// <param name="timeoutTicks">Age, in the caller's clock ticks, after which an incomplete message is dropped.</param>
    public FragmentReassembler(int maxMessageBytes, int maxIncompleteMessages, int maxBufferedBytes, long timeoutTicks)
    {
        if (maxMessageBytes < 2 || maxIncompleteMessages < 1 || maxBufferedBytes < maxMessageBytes || timeoutTicks <= 0)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(maxMessageBytes), "limits must be positive and the buffer budget must hold one largest message");
        }

        MaxMessageBytes = maxMessageBytes;
        MaxIncompleteMessages = maxIncompleteMessages;
        MaxBufferedBytes = maxBufferedBytes;
        TimeoutTicks = timeoutTicks;
        _groups = new Group[maxIncompleteMessages];
    }

    public int MaxMessageBytes { get; }

    public int MaxIncompleteMessages { get; }

    public int MaxBufferedBytes { get; }

    public long TimeoutTicks { get; }

    /// <summary>Bytes held by incomplete messages now.</summary>
    public long BufferedBytes => _bufferedBytes;

    /// <summary>Messages being rebuilt now.</summary>
    public int IncompleteMessages
    {
        get
        {
            int n = 0;
            foreach (Group g in _groups)
            {
                n += g.Active ? 1 : 0;
            }

            return n;
        }
    }

    /// <summary>Adds one fragment; on <see cref="ReassemblyStatus.Completed"/>, <paramref name="message"/> holds the whole message.</summary>
    public ReassemblyStatus Add(ushort groupId, int count, int index, int totalLength, ReadOnlySpan<byte> fragment, long now, out ReassembledMessage message)
    {
        message = default;
        Expire(now);
        if (totalLength > MaxMessageBytes)
        {
            return ReassemblyStatus.TooLarge;
        }

        if (count < 2 || totalLength < count || (uint)index >= (uint)count)
        {
            return ReassemblyStatus.Inconsistent;
        }

        int chunk = (int)(((long)totalLength + count - 1) / count);
        long lastLength = totalLength - ((long)chunk * (count - 1));
        long expected = index == count - 1 ? lastLength : chunk;
        if (lastLength <= 0 || fragment.Length != expected)
        {
            return ReassemblyStatus.Inconsistent;
        }

        int slot = Find(groupId);
        if (slot < 0)
        {
            slot = FindFree();
            if (slot < 0)
            {
                return ReassemblyStatus.TooManyIncomplete;
            }

            if (_bufferedBytes + totalLength > MaxBufferedBytes)
            {
                return ReassemblyStatus.OverBudget;
            }

            _groups[slot] = new Group
            {
                Active = true,
                Id = groupId,
                Count = count,
                Total = totalLength,
                Buffer = ArrayPool<byte>.Shared.Rent(totalLength),
                Seen = ArrayPool<bool>.Shared.Rent(count),
                CreatedAt = now,
            };
            Array.Clear(_groups[slot].Seen!, 0, count);
            _bufferedBytes += totalLength;
        }

        ref Group group = ref _groups[slot];
        if (group.Count != count || group.Total != totalLength)
        {
            return ReassemblyStatus.Inconsistent;
        }

        if (group.Seen![index])
        {
            return ReassemblyStatus.Duplicate;
        }

        fragment.CopyTo(group.Buffer.AsSpan(index * chunk));
        group.Seen[index] = true;
        if (++group.Received < count)
        {
            return ReassemblyStatus.Incomplete;
        }

        message = new ReassembledMessage(group.Buffer!, totalLength);
        group.Buffer = null; // handed out: the caller returns it
        Free(ref group);
        return ReassemblyStatus.Completed;
    }

    /// <summary>Drops every incomplete message older than <see cref="TimeoutTicks"/> at <paramref name="now"/>; returns how many.</summary>
    public int Expire(long now)
    {
        int dropped = 0;
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_groups[i].Active && now - _groups[i].CreatedAt >= TimeoutTicks)
            {
                Free(ref _groups[i]);
                dropped++;
            }
        }

        return dropped;
    }

    public void Dispose()
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_groups[i].Active)
            {
                Free(ref _groups[i]);
            }
        }
    }

    private int Find(ushort id)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            if (_groups[i].Active && _groups[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }

    private int FindFree()
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            if (!_groups[i].Active)
            {
                return i;
            }
        }

        return -1;
    }

    private void Free(ref Group group)
    {
        _bufferedBytes -= group.Total;
        if (group.Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(group.Buffer);
        }

        if (group.Seen is not null)
        {
            ArrayPool<bool>.Shared.Return(group.Seen);
        }

        group = default;
    }

    private struct Group
    {
        public bool Active;
        public ushort Id;
        public int Count;
        public int Total;
        public int Received;
        public byte[]? Buffer;
        public bool[]? Seen;
        public long CreatedAt;
    }
}
