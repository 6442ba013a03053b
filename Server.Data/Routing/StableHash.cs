using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Realm.Data.Routing;

/// <summary>
/// XXH64 (Yann Collet, xxHash specification v0.1.1, "XXH64 algorithm"), written here from the
/// specification: the same key gives the same 64-bit hash in every process, machine and release, which
/// <see cref="object.GetHashCode"/> does not (strings hash with a per-process random seed). Shard routing
/// depends on that: a key must land on the same shard forever.
/// </summary>
/// <remarks>Allocation-free; thread-safe (pure functions). Verified against the published test vectors.</remarks>
public static class StableHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private const ulong Prime3 = 0x165667B19E3779F9UL;
    private const ulong Prime4 = 0x85EBCA77C2B2AE63UL;
    private const ulong Prime5 = 0x27D4EB2F165667C5UL;

    /// <summary>XXH64 of <paramref name="data"/> with <paramref name="seed"/>.</summary>
    public static ulong XxHash64(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        int length = data.Length;
        int offset = 0;
        ulong hash;
        if (length >= 32)
        {
            ulong v1 = seed + Prime1 + Prime2;
            ulong v2 = seed + Prime2;
            ulong v3 = seed;
            ulong v4 = seed - Prime1;
            do
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 8)..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 16)..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[(offset + 24)..]));
                offset += 32;
            }
            while (offset <= length - 32);

            hash = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            hash = Merge(hash, v1);
            hash = Merge(hash, v2);
            hash = Merge(hash, v3);
            hash = Merge(hash, v4);
        }
        else
        {
            hash = seed + Prime5;
        }

        hash += (ulong)length;
        while (offset <= length - 8)
        {
            hash ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data[offset..]));
            hash = (BitOperations.RotateLeft(hash, 27) * Prime1) + Prime4;
            offset += 8;
        }

        if (offset <= length - 4)
        {
            hash ^= BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) * Prime1;
            hash = (BitOperations.RotateLeft(hash, 23) * Prime2) + Prime3;
            offset += 4;
        }

        while (offset < length)
        {
            hash ^= data[offset] * Prime5;
            hash = BitOperations.RotateLeft(hash, 11) * Prime1;
            offset++;
        }

        return Avalanche(hash);
    }

    /// <summary>The hash of a 64-bit key: XXH64 of its 8 little-endian bytes (seed 0).</summary>
    public static ulong Hash(long key)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, key);
        return XxHash64(bytes);
    }

    /// <summary>The hash of a string key: XXH64 of its UTF-8 bytes (seed 0). Keys up to 256 characters stay on the stack.</summary>
    public static ulong Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int max = Encoding.UTF8.GetMaxByteCount(key.Length);
        if (max <= 768)
        {
            Span<byte> bytes = stackalloc byte[768];
            int written = Encoding.UTF8.GetBytes(key, bytes);
            return XxHash64(bytes[..written]);
        }

        return XxHash64(Encoding.UTF8.GetBytes(key));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Round(ulong accumulator, ulong input)
    {
        accumulator += input * Prime2;
        accumulator = BitOperations.RotateLeft(accumulator, 31);
        return accumulator * Prime1;
    }

    private static ulong Merge(ulong hash, ulong accumulator)
    {
        hash ^= Round(0, accumulator);
        return (hash * Prime1) + Prime4;
    }

    private static ulong Avalanche(ulong hash)
    {
        hash ^= hash >> 33;
        hash *= Prime2;
        hash ^= hash >> 29;
        hash *= Prime3;
        hash ^= hash >> 32;
        return hash;
    }
}
