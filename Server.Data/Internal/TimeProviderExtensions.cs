namespace Realm.Data.Internal;

/// <summary>Conversions between <see cref="TimeSpan"/> and a <see cref="TimeProvider"/>'s timestamp units.</summary>
internal static class TimeProviderExtensions
{
    /// <summary><paramref name="span"/> in units of <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public static long ToTimestampSpan(this TimeProvider time, TimeSpan span) =>
        (long)(span.Ticks * (double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
}
