namespace Realm.Server.Protocol;

/// <summary>Converts between floats and fixed-point integers for quantized positions.</summary>
internal static class FixedPoint
{
    /// <summary>
    /// Rounds <paramref name="value"/> × <paramref name="scale"/> to the nearest integer. A value that is
    /// not finite or does not fit an <see cref="int"/> is a bug in the sender (positions are validated
    /// before they are written), so it throws.
    /// </summary>
    public static int ToFixed(float value, float scale)
    {
        double scaled = Math.Round((double)value * scale, MidpointRounding.AwayFromZero);
        if (!(scaled >= int.MinValue && scaled <= int.MaxValue))
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(value), $"{value} at scale {scale} does not fit a 32-bit fixed-point value");
        }

        return (int)scaled;
    }

    public static float ToFloat(int value, float scale) => (float)(value / (double)scale);
}
