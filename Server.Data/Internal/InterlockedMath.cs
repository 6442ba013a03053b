namespace Realm.Data.Internal;

/// <summary>Atomic operations <see cref="Interlocked"/> lacks.</summary>
internal static class InterlockedMath
{
    /// <summary>
    /// Raises <paramref name="target"/> to <paramref name="value"/> if it is larger; concurrent raises never lose
    /// the largest value (compare-and-swap loop, retried only while another thread raised it to something smaller).
    /// </summary>
    public static void Max(ref long target, long value)
    {
        long current = Volatile.Read(ref target);
        while (value > current)
        {
            long seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
