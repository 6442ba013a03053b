using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using System.Text.Unicode;

namespace Realm.Server.Protocol;

/// <summary>
/// Reads the wire format written by <see cref="PacketWriter"/> from untrusted bytes. Every read is a
/// <c>Try*</c> that returns false on short or malformed input and then leaves the position where it was;
/// nothing here throws and nothing reads past the end.
/// </summary>
/// <remarks>
/// Strict on purpose, so one value has exactly one encoding: varints must be minimal (no padding
/// groups, no bits beyond the type), bools must be 0 or 1, strings must be valid UTF-8 within their
/// cap. Not thread-safe; a <c>ref struct</c>. Only <see cref="TryReadString"/> allocates (the string).
/// </remarks>
internal ref struct PacketReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public PacketReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool IsAtEnd => _position == _data.Length;

    public bool TryReadByte(out byte value)
    {
        if ((uint)_position < (uint)_data.Length)
        {
            value = _data[_position++];
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadBool(out bool value)
    {
        if ((uint)_position < (uint)_data.Length && _data[_position] <= 1)
        {
            value = _data[_position++] == 1;
            return true;
        }

        value = false;
        return false;
    }

    public bool TryReadUInt16(out ushort value)
    {
        if (TryTake(sizeof(ushort), out ReadOnlySpan<byte> s))
        {
            value = BinaryPrimitives.ReadUInt16LittleEndian(s);
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadInt16(out short value)
    {
        bool ok = TryReadUInt16(out ushort raw);
        value = (short)raw;
        return ok;
    }

    public bool TryReadUInt32(out uint value)
    {
        if (TryTake(sizeof(uint), out ReadOnlySpan<byte> s))
        {
            value = BinaryPrimitives.ReadUInt32LittleEndian(s);
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadInt32(out int value)
    {
        bool ok = TryReadUInt32(out uint raw);
        value = (int)raw;
        return ok;
    }

    public bool TryReadUInt64(out ulong value)
    {
        if (TryTake(sizeof(ulong), out ReadOnlySpan<byte> s))
        {
            value = BinaryPrimitives.ReadUInt64LittleEndian(s);
            return true;
        }

        value = 0;
        return false;
    }

    public bool TryReadInt64(out long value)
    {
        bool ok = TryReadUInt64(out ulong raw);
        value = (long)raw;
        return ok;
    }

    /// <summary>Reads an IEEE single. NaN and infinities are returned as they are; game code validates ranges.</summary>
    public bool TryReadSingle(out float value)
    {
        bool ok = TryReadUInt32(out uint raw);
        value = BitConverter.UInt32BitsToSingle(raw);
        return ok;
    }

    /// <inheritdoc cref="TryReadSingle"/>
    public bool TryReadDouble(out double value)
    {
        bool ok = TryReadUInt64(out ulong raw);
        value = BitConverter.UInt64BitsToDouble(raw);
        return ok;
    }

    /// <summary>
    /// Reads a minimal unsigned LEB128 whose value fits 32 bits: the 64-bit read plus a range check, so
    /// a fifth group above 0x0F or a sixth byte is rejected as out of range.
    /// </summary>
    public bool TryReadVarUInt32(out uint value)
    {
        int start = _position;
        if (TryReadVarUInt64(out ulong wide) && wide <= uint.MaxValue)
        {
            value = (uint)wide;
            return true;
        }

        _position = start;
        value = 0;
        return false;
    }

    /// <summary>Reads a minimal unsigned LEB128 of at most 10 bytes whose value fits 64 bits.</summary>
    public bool TryReadVarUInt64(out ulong value)
    {
        ulong result = 0;
        for (int i = 0; i < VarInt.MaxBytes64; i++)
        {
            int at = _position + i;
            if ((uint)at >= (uint)_data.Length)
            {
                break;
            }

            ulong b = _data[at];
            // The tenth group carries only the top bit of a 64-bit value.
            if (i == VarInt.MaxBytes64 - 1 && b > 0x01)
            {
                break;
            }

            result |= (b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                if (b == 0 && i > 0)
                {
                    break;
                }

                _position = at + 1;
                value = result;
                return true;
            }
        }

        value = 0;
        return false;
    }

    public bool TryReadVarInt32(out int value)
    {
        bool ok = TryReadVarUInt32(out uint raw);
        value = VarInt.UnZigZag(raw);
        return ok;
    }

    public bool TryReadVarInt64(out long value)
    {
        bool ok = TryReadVarUInt64(out ulong raw);
        value = VarInt.UnZigZag(raw);
        return ok;
    }

    /// <summary>Reads a length-prefixed byte span of at most <paramref name="maxBytes"/>; no copy.</summary>
    public bool TryReadBytes(int maxBytes, out ReadOnlySpan<byte> value)
    {
        int start = _position;
        if (TryReadVarUInt32(out uint length) && length <= (uint)maxBytes && TryTake((int)length, out value))
        {
            return true;
        }

        _position = start;
        value = default;
        return false;
    }

    /// <summary>Reads a length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> as raw bytes; no allocation.</summary>
    public bool TryReadUtf8(int maxBytes, out ReadOnlySpan<byte> utf8)
    {
        int start = _position;
        if (TryReadBytes(maxBytes, out utf8) && Utf8.IsValid(utf8))
        {
            return true;
        }

        _position = start;
        utf8 = default;
        return false;
    }

    /// <summary>Reads a length-prefixed UTF-8 string of at most <paramref name="maxBytes"/>; allocates the string.</summary>
    public bool TryReadString(int maxBytes, out string value)
    {
        if (TryReadUtf8(maxBytes, out ReadOnlySpan<byte> utf8))
        {
            value = utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(utf8);
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>Takes exactly <paramref name="count"/> bytes with no length prefix; no copy.</summary>
    public bool TryReadRaw(int count, out ReadOnlySpan<byte> value) => TryTake(count, out value);

    /// <summary>Reads what <see cref="PacketWriter.WriteFixedVector2"/> wrote at the same <paramref name="scale"/>.</summary>
    public bool TryReadFixedVector2(float scale, out Vector2 value)
    {
        int start = _position;
        if (TryReadVarInt32(out int x) && TryReadVarInt32(out int y))
        {
            value = new Vector2(FixedPoint.ToFloat(x, scale), FixedPoint.ToFloat(y, scale));
            return true;
        }

        _position = start;
        value = default;
        return false;
    }

    /// <summary>Reads what <see cref="PacketWriter.WriteFixedVector3"/> wrote at the same <paramref name="scale"/>.</summary>
    public bool TryReadFixedVector3(float scale, out Vector3 value)
    {
        int start = _position;
        if (TryReadVarInt32(out int x) && TryReadVarInt32(out int y) && TryReadVarInt32(out int z))
        {
            value = new Vector3(FixedPoint.ToFloat(x, scale), FixedPoint.ToFloat(y, scale), FixedPoint.ToFloat(z, scale));
            return true;
        }

        _position = start;
        value = default;
        return false;
    }

    private bool TryTake(int count, out ReadOnlySpan<byte> span)
    {
        if (count >= 0 && count <= _data.Length - _position)
        {
            span = _data.Slice(_position, count);
            _position += count;
            return true;
        }

        span = default;
        return false;
    }
}
