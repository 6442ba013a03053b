using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net.Transport;

/// <summary>A reusable copy of one datagram and the address it came from or goes to.</summary>
internal sealed class DatagramBuffer
{
    public DatagramBuffer(int capacity, AddressFamily family)
    {
        Buffer = new byte[capacity];
        Address = new SocketAddress(family);
    }

    public byte[] Buffer { get; }

    public SocketAddress Address { get; }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);

    /// <summary>Copies <paramref name="datagram"/> (at most the capacity) and <paramref name="address"/> in.</summary>
    public void Set(ReadOnlySpan<byte> datagram, SocketAddress address)
    {
        datagram.CopyTo(Buffer);
        Length = datagram.Length;
        address.Buffer.Span[..address.Size].CopyTo(Address.Buffer.Span);
        Address.Size = address.Size;
    }
}
