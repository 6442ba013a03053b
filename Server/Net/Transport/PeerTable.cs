using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

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

    private readonly Dictionary<long, NetPeer> _v4 = new();
    private readonly Dictionary<SocketAddress, NetPeer> _other = new();

    public int Count => _v4.Count + _other.Count;

    public bool TryGetValue(SocketAddress address, [NotNullWhen(true)] out NetPeer? peer) =>
        TryKey(address, out long key) ? _v4.TryGetValue(key, out peer) : _other.TryGetValue(address, out peer);

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

    private static bool TryKey(SocketAddress address, out long key)
    {
        if (address.Family == AddressFamily.InterNetwork && address.Size == Ipv4Bytes)
        {
            // sin_family (2 bytes), sin_port (2), sin_addr (4); the 8 padding bytes carry nothing.
            key = BinaryPrimitives.ReadInt64LittleEndian(address.Buffer.Span);
            return true;
        }

        key = 0;
        return false;
    }
}
