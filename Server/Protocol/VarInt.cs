using System.Numerics;

namespace Realm.Server.Protocol;

/// <summary>LEB128 lengths and zig-zag mapping (as in Protocol Buffers' encoding guide), shared by writer and reader.</summary>
internal static class VarInt
{
    public const int MaxBytes64 = 10;

    /// <summary>Bytes LEB128 needs for <paramref name="value"/>: one per started group of 7 bits.</summary>
    public static int Length(uint value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <inheritdoc cref="Length(uint)"/>
    public static int Length(ulong value) => (BitOperations.Log2(value | 1) / 7) + 1;

    /// <summary>Maps 0, -1, 1, -2, … to 0, 1, 2, 3, … so small magnitudes encode short.</summary>
    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    /// <inheritdoc cref="ZigZag(int)"/>
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
