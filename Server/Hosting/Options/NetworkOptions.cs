using System.Net;

namespace Realm.Server.Hosting.Options;

/// <summary>UDP endpoint of the game server (configuration section <c>Network</c>).</summary>
internal sealed class NetworkOptions
{
    /// <summary>Smallest socket buffer accepted; below this a burst of datagrams overflows the kernel queue.</summary>
    public const int MinBufferBytes = 64 * 1024;

    /// <summary>Largest socket buffer accepted (the kernel caps it at net.core.rmem_max/wmem_max anyway).</summary>
    public const int MaxBufferBytes = 1024 * 1024 * 1024;

    /// <summary>
    /// Address the UDP socket binds to. Default <c>127.0.0.1</c> (loopback only). Risk: <c>0.0.0.0</c> or
    /// <c>::</c> exposes the server on every interface; an IPv6 address binds dual-mode only for <c>::</c>.
    /// </summary>
    public IPAddress Host { get; init; } = IPAddress.Loopback;

    /// <summary>UDP port. Default 7777; 0 lets the kernel pick a free port (tests use it).</summary>
    public int Port { get; init; } = 7777;

    /// <summary>
    /// Receive buffer the server asks the kernel for, in bytes. Default 8 MiB: at ~250 k datagrams/s a
    /// 10 ms stall of the receive thread needs about 2,500 × MTU of queue. The kernel grants at most
    /// <c>net.core.rmem_max</c>; the granted size is logged at start.
    /// </summary>
    public int ReceiveBufferBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Send buffer the server asks the kernel for, in bytes. Default 8 MiB; capped by <c>net.core.wmem_max</c>.</summary>
    public int SendBufferBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// Connect requests accepted per second from one IP address; beyond it they are dropped unanswered (a
    /// connect flood from one source cannot crowd out everyone else). Default 10. Risk: raising it lets one
    /// address cost the server more handshakes; a load test from one machine needs it high.
    /// </summary>
    public int MaxConnectAttemptsPerSecond { get; init; } = 10;

    internal static NetworkOptions Read(OptionReader reader) => new()
    {
        MaxConnectAttemptsPerSecond = reader.Int32(nameof(MaxConnectAttemptsPerSecond), 10, 1, 1_000_000),
        Host = reader.Address(nameof(Host), IPAddress.Loopback),
        Port = reader.Int32(nameof(Port), 7777, 0, 65535),
        ReceiveBufferBytes = reader.Int32(nameof(ReceiveBufferBytes), 8 * 1024 * 1024, MinBufferBytes, MaxBufferBytes),
        SendBufferBytes = reader.Int32(nameof(SendBufferBytes), 8 * 1024 * 1024, MinBufferBytes, MaxBufferBytes),
    };
}
