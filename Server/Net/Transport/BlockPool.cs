namespace Realm.Server.Net.Transport;

/// <summary>
/// Buffers for messages held by the transport (queued, unacknowledged, or waiting for an earlier one),
/// in two sizes: small (≤ 128 bytes, most game messages) and datagram-sized (a whole message or fragment
/// never exceeds the MTU). A plain stack per size: owned by the logic thread, no locks. After warm-up
/// nothing is allocated; buffers beyond <see cref="MaxRetained"/> per size are left to the GC, so a burst
/// cannot pin memory for ever.
/// </summary>
internal sealed class BlockPool
{
    /// <summary>Size of a small block.</summary>
    public const int SmallBytes = 128;

    /// <summary>Blocks kept per size at most.</summary>
    public const int MaxRetained = 16_384;

    private readonly Stack<byte[]> _small = new();
    private readonly Stack<byte[]> _large = new();

    public BlockPool(int largeBytes) => LargeBytes = Math.Max(largeBytes, SmallBytes);

    public int LargeBytes { get; }

    /// <summary>Blocks currently kept for reuse, both sizes.</summary>
    public int Retained => _small.Count + _large.Count;

    /// <summary>A block of at least <paramref name="length"/> bytes (at most <see cref="LargeBytes"/>).</summary>
    public byte[] Rent(int length)
    {
        if (length <= SmallBytes)
        {
            return _small.TryPop(out byte[]? s) ? s : new byte[SmallBytes];
        }

        if (length > LargeBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(length), $"a {length}-byte block is larger than the datagram size {LargeBytes}");
        }

        return _large.TryPop(out byte[]? l) ? l : new byte[LargeBytes];
    }

    public void Return(byte[] block)
    {
        Stack<byte[]> stack = block.Length == SmallBytes ? _small : _large;
        if (stack.Count < MaxRetained)
        {
            stack.Push(block);
        }
    }
}
