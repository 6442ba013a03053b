using System.Buffers;

namespace Realm.Server.Net.Fragmentation;

/// <summary>A reassembled message in a pooled buffer; <see cref="Dispose"/> returns the buffer.</summary>
internal struct ReassembledMessage : IDisposable
{
    private byte[]? _buffer;

    public ReassembledMessage(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public readonly ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);

    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
