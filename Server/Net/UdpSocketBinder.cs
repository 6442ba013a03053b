using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net;

/// <summary>Creates and binds the server's UDP socket, turning the common failures into clear messages.</summary>
internal static class UdpSocketBinder
{
    /// <summary>
    /// Binds a UDP socket on <paramref name="address"/>:<paramref name="port"/> and asks for the given
    /// buffer sizes. <c>::</c> binds dual-mode (IPv4 and IPv6). Returns false with a message naming the
    /// endpoint when the port is taken, the address is not on this machine, or access is denied.
    /// </summary>
    public static bool TryBind(IPAddress address, int port, int receiveBufferBytes, int sendBufferBytes, out UdpBinding binding, out string? error)
    {
        binding = default;
#pragma warning disable CA2000 // on success the socket is handed to the caller in UdpBinding; every failure path disposes it
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
#pragma warning restore CA2000
        try
        {
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // Linux clamps the request to net.core.rmem_max / wmem_max, then doubles it for bookkeeping
            // overhead and reports the doubled value (socket(7), SO_RCVBUF). Halving gives the size the
            // request was clamped to, which is what the caller compares with what it asked for.
            socket.ReceiveBufferSize = receiveBufferBytes;
            socket.SendBufferSize = sendBufferBytes;
            socket.Bind(new IPEndPoint(address, port));
            int divisor = OperatingSystem.IsLinux() ? 2 : 1;
            binding = new UdpBinding(socket, (IPEndPoint)socket.LocalEndPoint!, socket.ReceiveBufferSize / divisor, socket.SendBufferSize / divisor);
            error = null;
            return true;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse =>
                    $"UDP port {port} on {address} is already in use (another Realm server?); choose another with --port, --Network:Port or REALM__NETWORK__PORT",
                SocketError.AddressNotAvailable =>
                    $"cannot bind UDP {address}:{port}: the address is not assigned to this machine (Network:Host)",
                SocketError.AccessDenied =>
                    $"cannot bind UDP {address}:{port}: permission denied (ports below 1024 need privileges)",
                _ => $"cannot bind UDP {address}:{port}: {e.SocketErrorCode} ({e.Message})",
            };
            return false;
        }
    }
}
