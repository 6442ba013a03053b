using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Realm.Server.Protocol;

/// <summary>
/// Writes the wire format: little-endian fixed-width integers, LEB128 varints (zig-zag for signed),
/// IEEE floats, length-prefixed UTF-8 strings and byte spans, and fixed-point vectors. Starts on a
/// caller's span (a stack buffer or a datagram buffer) and, only when that is too small, moves to a
/// buffer rented from <see cref="ArrayPool{T}.Shared"/> through an out-of-line slow path.
/// </summary>
/// <remarks>
/// Not thread-safe; a <c>ref struct</c>, so it lives on one stack frame. Call <see cref="Dispose"/> to
/// return a rented buffer. The output is Realm's own data, so exceeding <see cref="MaxLength"/> or a
/// string cap is a broken invariant and throws; reading client input never throws (see <see cref="PacketReader"/>).
/// </remarks>
internal ref struct PacketWriter
{
    /// <summary>Default ceiling on one message: beyond this the sender has a bug, not a big message.</summary>
    public const int DefaultMaxLength = 1024 * 1024;

    private Span<byte> _buffer;
    private byte[]? _rented;
    private int _position;

    public PacketWriter(Span<byte> initial, int maxLength = DefaultMaxLength)
    {
        _buffer = initial;
        _rented = null;
        _position = 0;
        MaxLength = maxLength;
    }

    /// <summary>The most bytes this writer may hold.</summary>
    public int MaxLength { get; }

    /// <summary>Bytes written so far.</summary>
    public readonly int Length => _position;

    /// <summary>The bytes written so far; valid until the next write or <see cref="Dispose"/>.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>True once the writer has left the caller's span for a pooled buffer.</summary>
    public readonly bool HasGrown => _rented is not null;

    public void WriteByte(byte value)
    {
        if ((uint)_position < (uint)_buffer.Length)
        {
            _buffer[_position++] = value;
            return;
        }

        Reserve(1)[0] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Reserve(sizeof(ushort)), value);

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Reserve(sizeof(short)), value);

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Reserve(sizeof(uint)), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(sizeof(int)), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Reserve(sizeof(ulong)), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(sizeof(long)), value);

    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(sizeof(float)), value);

    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(sizeof(double)), value);

    /// <summary>Unsigned LEB128 of a 32-bit value (1–5 bytes): the same bytes as its 64-bit form.</summary>
    public void WriteVarUInt32(uint value) => WriteVarUInt64(value);

    /// <summary>Unsigned LEB128: 7 bits per byte, low group first, high bit set on all but the last (1–10 bytes).</summary>
    public void WriteVarUInt64(ulong value)
    {
        if (value < 0x80)
        {
            WriteByte((byte)value);
            return;
        }

        Span<byte> span = Reserve(VarInt.Length(value));
        int i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i] = (byte)value;
    }

    /// <summary>Zig-zag then LEB128, so small negative numbers stay short (-1 is one byte).</summary>
    public void WriteVarInt32(int value) => WriteVarUInt32(VarInt.ZigZag(value));

    /// <summary>Zig-zag then LEB128 of a 64-bit value.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64(VarInt.ZigZag(value));

    /// <summary>Writes a varint byte count, then the UTF-8 bytes of <paramref name="value"/>.</summary>
    /// <param name="value">The text; unpaired surrogates become U+FFFD.</param>
    /// <param name="maxBytes">Cap on the encoded length, the same cap the reader enforces.</param>
    public void WriteString(ReadOnlySpan<char> value, int maxBytes)
    {
        int count = Encoding.UTF8.GetByteCount(value);
        if (count > maxBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(value), $"string of {count} UTF-8 bytes exceeds its cap of {maxBytes}");
        }

        WriteVarUInt32((uint)count);
        Encoding.UTF8.GetBytes(value, Reserve(count));
    }

    /// <summary>Writes a varint length, then <paramref name="value"/>.</summary>
    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteVarUInt32((uint)value.Length);
        WriteRaw(value);
    }

    /// <summary>Writes <paramref name="value"/> with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> value) => value.CopyTo(Reserve(value.Length));

    /// <summary>
    /// Writes a position as fixed point: each component is rounded to a multiple of 1/<paramref name="scale"/>
    /// and written as a zig-zag varint (e.g. scale 100 = centimetres: a coordinate within ±81 m takes 2 bytes).
    /// </summary>
    public void WriteFixedVector2(Vector2 value, float scale)
    {
        WriteVarInt32(FixedPoint.ToFixed(value.X, scale));
        WriteVarInt32(FixedPoint.ToFixed(value.Y, scale));
    }

    /// <inheritdoc cref="WriteFixedVector2"/>
    public void WriteFixedVector3(Vector3 value, float scale)
    {
        WriteVarInt32(FixedPoint.ToFixed(value.X, scale));
        WriteVarInt32(FixedPoint.ToFixed(value.Y, scale));
        WriteVarInt32(FixedPoint.ToFixed(value.Z, scale));
    }

    /// <summary>Resets to empty, keeping whatever buffer it has.</summary>
    public void Clear() => _position = 0;

    /// <summary>Returns a rented buffer to the pool. The writer must not be used afterwards.</summary>
    public void Dispose()
    {
        byte[]? rented = _rented;
        _rented = null;
        _buffer = default;
        _position = 0;
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the fast path is a compare and a slice; measured in PacketCodecBenchmarks
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _position >= count)
        {
            Span<byte> span = _buffer.Slice(_position, count);
            _position += count;
            return span;
        }

        return ReserveSlow(count);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Span<byte> ReserveSlow(int count)
    {
        int needed = _position + count;
        if (needed > MaxLength || needed < 0)
        {
            ThrowHelper.ThrowInvalidOperation($"message would be {(long)_position + count} bytes, over the writer's limit of {MaxLength}");
        }

        int size = Math.Min(MaxLength, Math.Max(needed, Math.Max(256, _buffer.Length * 2)));
        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        _buffer[.._position].CopyTo(next);
        byte[]? old = _rented;
        _rented = next;
        _buffer = next;
        if (old is not null)
        {
            ArrayPool<byte>.Shared.Return(old);
        }

        Span<byte> span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }
}
