namespace Realm.Data.Caching.Internal;

/// <summary>
/// A counter spread over cache-line-sized cells picked by thread id, so threads that count at the same
/// time (cache hits on every core) do not fight over one line. Exact: each cell is incremented with
/// <see cref="Interlocked"/>, because two threads can still share a cell.
/// </summary>
internal sealed class StripedCounter
{
    private const int LongsPerLine = 8; // 64-byte lines; one counted long per line
    private readonly long[] _cells;
    private readonly int _mask;

    public StripedCounter()
    {
        int stripes = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, Environment.ProcessorCount));
        _cells = new long[(stripes + 1) * LongsPerLine]; // one spare line so the first cell is not next to the array header
        _mask = stripes - 1;
    }

    public void Increment() => Interlocked.Increment(ref _cells[((Environment.CurrentManagedThreadId & _mask) + 1) * LongsPerLine]);

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
