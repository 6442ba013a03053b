using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Realm.Server.Net.Handshake;

/// <summary>
/// Stateless connect cookies, in the manner of DTLS's HelloVerifyRequest (RFC 6347, section 4.2.1) and
/// TCP SYN cookies: the server answers a first connect request with
/// HMAC-SHA256(secret, time window ‖ client nonce ‖ client address), truncated to
/// <see cref="CookieBytes"/>, and keeps no state. Only a client that receives the cookie at its
/// address and echoes it within <see cref="WindowMilliseconds"/> to twice that gets a peer allocated,
/// so a flood of spoofed connect requests costs the server an HMAC each and no memory.
/// </summary>
/// <remarks>
/// Thread-safe (immutable after construction); no allocation per call. The secret is random per
/// process, so cookies do not survive a restart; a client that gets no answer simply asks again.
/// </remarks>
internal sealed class ConnectCookies
{
    /// <summary>Truncated MAC length: 128 bits, beyond any online guessing.</summary>
    public const int CookieBytes = 16;

    private const int SecretBytes = 32;
    private const int MaxAddressBytes = 64; // SocketAddress of IPv6 is 28 bytes; leave room

    private readonly byte[] _secret;

    /// <param name="windowMilliseconds">Length of one time window; a cookie is accepted in its window and the next (default 5,000 ms).</param>
    /// <param name="secret">Key for tests; omitted, a random 32-byte key is drawn.</param>
    public ConnectCookies(int windowMilliseconds = 5_000, ReadOnlySpan<byte> secret = default)
    {
        if (windowMilliseconds < 100)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(windowMilliseconds), $"a cookie window of {windowMilliseconds} ms is shorter than a round trip can take");
        }

        WindowMilliseconds = windowMilliseconds;
        _secret = secret.IsEmpty ? RandomNumberGenerator.GetBytes(SecretBytes) : secret.ToArray();
    }

    public int WindowMilliseconds { get; }

    /// <summary>Writes the cookie for <paramref name="address"/> and <paramref name="clientNonce"/> at <paramref name="nowMilliseconds"/>.</summary>
    /// <param name="address">The address the request came from, as received.</param>
    /// <param name="clientNonce">A random number the client put in its request, so two clients behind one NAT port cannot share a cookie.</param>
    /// <param name="nowMilliseconds">A monotonic clock, e.g. <see cref="Environment.TickCount64"/>.</param>
    /// <param name="cookie">At least <see cref="CookieBytes"/> bytes.</param>
    public void Create(SocketAddress address, ulong clientNonce, long nowMilliseconds, Span<byte> cookie)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Size > MaxAddressBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(address), $"a {address.Size}-byte socket address is larger than any IP address ({MaxAddressBytes})");
        }

        if (cookie.Length < CookieBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(cookie), $"a cookie needs {CookieBytes} bytes");
        }

        Compute(address, clientNonce, Window(nowMilliseconds), cookie);
    }

    /// <summary>
    /// True when <paramref name="cookie"/> was created by this instance for the same address and nonce,
    /// in the current or the previous window. Compared in constant time.
    /// </summary>
    public bool IsValid(SocketAddress address, ulong clientNonce, long nowMilliseconds, ReadOnlySpan<byte> cookie)
    {
        if (address is null || cookie.Length != CookieBytes || address.Size > MaxAddressBytes)
        {
            return false;
        }

        long window = Window(nowMilliseconds);
        Span<byte> expected = stackalloc byte[CookieBytes];
        Compute(address, clientNonce, window, expected);
        if (CryptographicOperations.FixedTimeEquals(expected, cookie))
        {
            return true;
        }

        Compute(address, clientNonce, window - 1, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cookie);
    }

    private long Window(long nowMilliseconds) => nowMilliseconds / WindowMilliseconds;

    private void Compute(SocketAddress address, ulong clientNonce, long window, Span<byte> cookie)
    {
        int addressBytes = address.Size; // at most MaxAddressBytes: both callers check
        Span<byte> input = stackalloc byte[sizeof(long) + sizeof(ulong) + MaxAddressBytes];
        BinaryPrimitives.WriteInt64LittleEndian(input, window);
        BinaryPrimitives.WriteUInt64LittleEndian(input[sizeof(long)..], clientNonce);
        address.Buffer.Span[..addressBytes].CopyTo(input[(sizeof(long) + sizeof(ulong))..]);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, input[..(sizeof(long) + sizeof(ulong) + addressBytes)], mac);
        mac[..CookieBytes].CopyTo(cookie);
    }
}
