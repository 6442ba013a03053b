using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Realm.Server.Net.Transport;

/// <summary>
/// A host's peers by source address, looked up once per received datagram. An IPv4 address (family, port
/// and address: the first 8 bytes of a <c>sockaddr_in</c>) is one 64-bit key in a
/// <see cref="Dictionary{TKey, TValue}"/> of <see cref="long"/>: the lookup hashes a number and reads no
/// <see cref="SocketAddress"/> object or buffer, which with hundreds of peers are cache misses. Other
/// families (IPv6) use the addresses themselves as keys.
/// </summary>
/// <remarks>Owned by the logic thread; not thread-safe. Allocates only when a peer is added.</remarks>
internal sealed class PeerTable
{
    private const int Ipv4Bytes = 16; // sizeof(struct sockaddr_in)
    private const ushort Ipv4Family = 2; // AF_INET on Linux (SocketAddress keeps the platform's sockaddr layout)

    private readonly Dictionary<long, NetPeer> _v4 = new();
    private readonly Dictionary<SocketAddress, NetPeer> _other = new();

    public int Count => _v4.Count + _other.Count;

    public bool TryGetValue(SocketAddress address, [NotNullWhen(true)] out NetPeer? peer) =>
        TryKey(address, out long key) ? _v4.TryGetValue(key, out peer) : _other.TryGetValue(address, out peer);

    /// <summary>Looks up an IPv4 peer by its key (<see cref="TryKey(ReadOnlySpan{byte}, out long)"/>), as read from a received batch.</summary>
    public bool TryGetValue(long ipv4Key, [NotNullWhen(true)] out NetPeer? peer) => _v4.TryGetValue(ipv4Key, out peer);

    public bool ContainsKey(SocketAddress address) => TryGetValue(address, out _);

    /// <exception cref="ArgumentException">A peer with this address is already in the table.</exception>
    public void Add(SocketAddress address, NetPeer peer)
    {
        if (TryKey(address, out long key))
        {
            _v4.Add(key, peer);
        }
        else
        {
            _other.Add(address, peer);
        }
    }

    public bool Remove(SocketAddress address) =>
        TryKey(address, out long key) ? _v4.Remove(key) : _other.Remove(address);

    public void Clear()
    {
        _v4.Clear();
        _other.Clear();
    }

    /// <summary>The 64-bit key of an IPv4 address; false (and 0, which no IPv4 key is) for other families.</summary>
    public static bool TryKey(SocketAddress address, out long key) => TryKey(address.Buffer.Span[..address.Size], out key);

    /// <summary>The key of a raw <c>sockaddr</c>: an IPv4 one is exactly <c>sizeof(sockaddr_in)</c> bytes with family AF_INET.</summary>
    public static bool TryKey(ReadOnlySpan<byte> sockaddr, out long key)
    {
        if (sockaddr.Length == Ipv4Bytes && BinaryPrimitives.ReadUInt16LittleEndian(sockaddr) == Ipv4Family)
        {
            // sin_family (2 bytes), sin_port (2), sin_addr (4); the 8 padding bytes carry nothing.
            key = BinaryPrimitives.ReadInt64LittleEndian(sockaddr);
            return true;
        }

        key = 0;
        return false;
    }
}
