namespace Realm.Server.Net.Reliability;

/// <summary>
/// 16-bit sequence numbers that wrap, compared with serial number arithmetic (RFC 1982): a is newer
/// than b when it is ahead by less than half the space. Comparisons are valid while the two numbers
/// are fewer than 32,768 apart, which the send window guarantees.
/// </summary>
internal static class SequenceNumber
{
    /// <summary>Half the sequence space; no two sequence numbers in use are this far apart.</summary>
    public const int HalfRange = 32_768;

    /// <summary>True when <paramref name="a"/> comes after <paramref name="b"/>, across the wrap.</summary>
    public static bool IsNewer(ushort a, ushort b) => Distance(b, a) > 0;

    /// <summary>
    /// Signed steps from <paramref name="from"/> to <paramref name="to"/>, in [-32768, 32767]:
    /// Distance(65535, 0) is 1, Distance(0, 65535) is -1.
    /// </summary>
    public static int Distance(ushort from, ushort to) => (short)(ushort)(to - from);
}
