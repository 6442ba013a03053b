using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Limits connect attempts per source IP per second without keeping state per address: a fixed table of
/// counters indexed by a hash of the IP (not the port, so one machine cannot dodge the limit by changing
/// ports). Two addresses that share a bucket share a budget, which errs on the side of refusing; memory
/// is the table, whatever the flood. Owned by the logic thread.
/// </summary>
internal sealed class ConnectRateLimiter
{
    private const int Buckets = 4096;
    private readonly Bucket[] _buckets = new Bucket[Buckets];
    private readonly int _perSecond;

    public ConnectRateLimiter(int perSecond) => _perSecond = perSecond;

    /// <summary>Counts an attempt from <paramref name="address"/> at <paramref name="nowMilliseconds"/>; false when over the limit.</summary>
    public bool TryAcquire(SocketAddress address, long nowMilliseconds)
    {
        long second = nowMilliseconds / 1000;
        ref Bucket bucket = ref _buckets[(uint)HashIp(address) & (Buckets - 1)];
        if (bucket.Second != second)
        {
            bucket.Second = second;
            bucket.Count = 0;
        }

        return ++bucket.Count <= _perSecond;
    }

    private static int HashIp(SocketAddress address)
    {
        // sockaddr_in / sockaddr_in6: family (2 bytes) and port (2 bytes) first, then the address.
        ReadOnlySpan<byte> bytes = address.Buffer.Span[..address.Size];
        ReadOnlySpan<byte> ip = address.Family == AddressFamily.InterNetworkV6 && bytes.Length >= 24 ? bytes.Slice(8, 16)
            : bytes.Length >= 8 ? bytes.Slice(4, 4) : bytes;
        var hash = default(HashCode);
        hash.AddBytes(ip);
        return hash.ToHashCode();
    }

    private struct Bucket
    {
        public long Second;
        public int Count;
    }
}
