namespace Realm.Data.Internal;

/// <summary>
/// A counter spread over cache-line-sized cells, one per thread slot, so threads that count at the same
/// time (cache hits on every core) do not fight over one line. Each thread gets its slot round-robin the
/// first time it counts (not from its thread id, where two busy threads can share a parity). Exact: cells
/// are incremented with <see cref="Interlocked"/>, because with more threads than cells two still share.
/// </summary>
internal sealed class StripedCounter
{
    private const int LongsPerLine = 8; // 64-byte lines; one counted long per line

    [ThreadStatic]
    private static int _threadSlot; // 0: not assigned yet; otherwise slot + 1

    private static int _nextSlot;

    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(4, 2 * Environment.ProcessorCount));
        _cells = new long[(stripes + 1) * LongsPerLine]; // one spare line so the first cell is not next to the array header
        _mask = stripes - 1;
    }

    public void Increment() => Interlocked.Increment(ref Cell());

    public void Add(long value) => Interlocked.Add(ref Cell(), value);

    private ref long Cell()
    {
        int slot = _threadSlot;
        if (slot == 0)
        {
            slot = _threadSlot = Interlocked.Increment(ref _nextSlot);
        }

        return ref _cells[((slot & _mask) + 1) * LongsPerLine];
    }

    public long Value
    {
        get
        {
            long sum = 0;
            for (int i = 1; i <= _mask + 1; i++)
            {
                sum += Volatile.Read(ref _cells[i * LongsPerLine]);
            }

            return sum;
        }
    }
}
