using System.Globalization;
using System.Text;
using Realm.Server.Net.Wire;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Settings of one <see cref="NetHost"/>, with defaults suited to a game server on a LAN or the internet.
/// Both ends of a connection should use the same <see cref="Mtu"/>, <see cref="MaxMessageBytes"/> and
/// <see cref="SendQueueMessages"/>: the receiver sizes its reorder and reassembly buffers from them.
/// </summary>
internal sealed class NetHostOptions
{
    /// <summary>Largest datagram sent or accepted, in bytes (default 1,200: fits every real path with IPv6 and tunnels).</summary>
    public int Mtu { get; set; } = 1200;

    /// <summary>Connected peers at most; further connect requests are rejected with <see cref="DisconnectReason.ServerFull"/> (default 1,024).</summary>
    public int MaxPeers { get; set; } = 1024;

    /// <summary>Connect requests per source address per second beyond which they are dropped unanswered (default 10).</summary>
    public int MaxConnectAttemptsPerSecond { get; set; } = 10;

    /// <summary>Silence after which a peer is disconnected with <see cref="DisconnectReason.Timeout"/> (default 5 s).</summary>
    public TimeSpan DisconnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Idle time after which an empty datagram is sent, which the peer acknowledges: liveness and an RTT sample (default 1 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a connecting client repeats its request while unanswered (default 250 ms).</summary>
    public TimeSpan ConnectRetryInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a client tries to connect before giving up with <see cref="DisconnectReason.ConnectTimeout"/> (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest message, after reassembly (default 256 KiB); <see cref="NetPeer.Send"/> refuses larger ones.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Reliable messages (or fragments) per peer queued or unacknowledged, at most: a power of two from 64
    /// to 16,384 (default 1,024). When full, <see cref="NetPeer.Send"/> returns <see cref="SendResult.QueueFull"/>.
    /// </summary>
    public int SendQueueMessages { get; set; } = 1024;

    /// <summary>Unreliable messages (or fragments) per peer waiting for the next flush, at most (default 1,024).</summary>
    public int UnreliableQueueMessages { get; set; } = 1024;

    /// <summary>Datagrams in flight per peer, at most: a power of two from 256 to 16,384 (default 1,024). The congestion window moves below this.</summary>
    public int MaxDatagramsInFlight { get; set; } = 1024;

    /// <summary>Congestion window at the start of a connection, in datagrams (default 32).</summary>
    public int InitialCongestionWindow { get; set; } = 32;

    /// <summary>The congestion window never shrinks below this, in datagrams (default 16).</summary>
    public int MinCongestionWindow { get; set; } = 16;

    /// <summary>Bytes per peer held by incomplete unreliable messages (default 1 MiB); a fragment flood beyond it is dropped.</summary>
    public int UnreliableReassemblyBytes { get; set; } = 1024 * 1024;

    /// <summary>Reliable messages split into fragments that may be unacknowledged at once per peer (default 4).</summary>
    public int MaxFragmentedInFlight { get; set; } = 4;

    /// <summary>Smallest retransmission timeout (default 50 ms; RFC 6298's 1 s is for TCP).</summary>
    public TimeSpan MinRto { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest retransmission timeout after back-off (default 2 s).</summary>
    public TimeSpan MaxRto { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Receive on a dedicated thread into a queue that <see cref="NetHost.Poll{TListener}(ref TListener, TimeSpan)"/> drains (default true). False: <c>Poll</c> reads the socket itself, for hosts polled by a shared worker thread (the load tester's bots).</summary>
    public bool ReceiveThread { get; set; } = true;

    /// <summary>
    /// Client only: <c>connect()</c> the socket to the server of <see cref="NetHost.Connect"/> (default false). The
    /// kernel then keeps the route, so a send skips the route lookup and carries no address, and it delivers
    /// datagrams from that server only. Such a host talks to one server at a time: a second
    /// <c>Connect</c> while a peer exists is refused. For clients of one server (game clients, bots).
    /// </summary>
    public bool ConnectSocket { get; set; }

    /// <summary>Datagrams the receive thread may queue for the logic thread (default 8,192, a power of two); beyond it they are counted and dropped.</summary>
    public int ReceiveQueueDatagrams { get; set; } = 8192;

    /// <summary>
    /// Datagrams per receive or send system call on 64-bit Linux (<c>recvmmsg</c>/<c>sendmmsg</c>; default 32).
    /// 1 uses one <c>ReceiveFrom</c>/<c>SendTo</c> per datagram, as on other systems. Each thread that calls
    /// hosts keeps a send and a receive batch of this many MTU-sized slots in native memory, shared by the
    /// hosts of the same MTU and batch size.
    /// </summary>
    public int IoBatchDatagrams { get; set; } = 32;

    /// <summary>Socket receive and send buffer sizes to ask for (default 8 MiB; the kernel may grant less, which is logged).</summary>
    public int SocketBufferBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Identifies the transport protocol; a client with another value is rejected with <see cref="DisconnectReason.ProtocolMismatch"/>.</summary>
    public uint ProtocolId { get; set; } = 0x314D_4C52; // "RLM1"

    /// <summary>Network conditioner for tests and load tests; off by default.</summary>
    public NetConditionerOptions Conditioner { get; set; } = new();

    /// <summary>Largest payload of one fragment so that a fragment always fits one datagram.</summary>
    internal int FragmentPayloadBytes => Mtu - DataHeader.MaxBytes - MessageFrameWriter.MaxFragmentOverhead(Mtu);

    /// <summary>Largest message sent whole, without fragmenting.</summary>
    internal int SingleMessageBytes => Mtu - DataHeader.MaxBytes - MessageFrameWriter.MaxOverhead(Mtu);

    /// <summary>Every problem with these options, one line each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Check(errors, Mtu is >= 256 and <= DatagramReceiver.MaxDatagramBytes, nameof(Mtu), Mtu, $"256 to {DatagramReceiver.MaxDatagramBytes}");
        Check(errors, MaxPeers is >= 1 and <= 1_000_000, nameof(MaxPeers), MaxPeers, "1 to 1000000");
        Check(errors, MaxConnectAttemptsPerSecond is >= 1 and <= 1_000_000, nameof(MaxConnectAttemptsPerSecond), MaxConnectAttemptsPerSecond, "1 to 1000000");
        Check(errors, DisconnectTimeout >= TimeSpan.FromMilliseconds(100) && DisconnectTimeout <= TimeSpan.FromHours(1), nameof(DisconnectTimeout), DisconnectTimeout, "100 ms to 1 h");
        Check(errors, KeepAliveInterval > TimeSpan.Zero && KeepAliveInterval < DisconnectTimeout, nameof(KeepAliveInterval), KeepAliveInterval, "more than 0 and less than DisconnectTimeout");
        Check(errors, ConnectRetryInterval >= TimeSpan.FromMilliseconds(10) && ConnectRetryInterval < ConnectTimeout, nameof(ConnectRetryInterval), ConnectRetryInterval, "10 ms or more and less than ConnectTimeout");
        Check(errors, ConnectTimeout >= TimeSpan.FromMilliseconds(100) && ConnectTimeout <= TimeSpan.FromMinutes(10), nameof(ConnectTimeout), ConnectTimeout, "100 ms to 10 min");
        Check(errors, MaxMessageBytes >= 1 && MaxMessageBytes <= 16 * 1024 * 1024, nameof(MaxMessageBytes), MaxMessageBytes, "1 to 16777216");
        Check(errors, IsPowerOfTwo(SendQueueMessages, 64, 16_384), nameof(SendQueueMessages), SendQueueMessages, "a power of two from 64 to 16384");
        Check(errors, UnreliableQueueMessages is >= 1 and <= 1_000_000, nameof(UnreliableQueueMessages), UnreliableQueueMessages, "1 to 1000000");
        Check(errors, IsPowerOfTwo(MaxDatagramsInFlight, 256, 16_384), nameof(MaxDatagramsInFlight), MaxDatagramsInFlight, "a power of two from 256 to 16384");
        Check(errors, MinCongestionWindow >= 2 && MinCongestionWindow <= MaxDatagramsInFlight, nameof(MinCongestionWindow), MinCongestionWindow, "2 to MaxDatagramsInFlight");
        Check(errors, InitialCongestionWindow >= MinCongestionWindow && InitialCongestionWindow <= MaxDatagramsInFlight, nameof(InitialCongestionWindow), InitialCongestionWindow, "MinCongestionWindow to MaxDatagramsInFlight");
        Check(errors, UnreliableReassemblyBytes >= MaxMessageBytes, nameof(UnreliableReassemblyBytes), UnreliableReassemblyBytes, "at least MaxMessageBytes");
        Check(errors, MaxFragmentedInFlight is >= 1 and <= 64, nameof(MaxFragmentedInFlight), MaxFragmentedInFlight, "1 to 64");
        Check(errors, MinRto >= TimeSpan.FromMilliseconds(1) && MaxRto >= MinRto && MaxRto <= TimeSpan.FromMinutes(1), nameof(MinRto), MinRto, "1 ms or more, and MaxRto from MinRto to 1 min");
        Check(errors, IsPowerOfTwo(ReceiveQueueDatagrams, 16, 1 << 20), nameof(ReceiveQueueDatagrams), ReceiveQueueDatagrams, "a power of two from 16 to 1048576");
        Check(errors, IoBatchDatagrams is >= 1 and <= 1024, nameof(IoBatchDatagrams), IoBatchDatagrams, "1 to 1024");
        Check(errors, SocketBufferBytes is >= 4096 and <= 1 << 30, nameof(SocketBufferBytes), SocketBufferBytes, "4096 to 1073741824");
        Conditioner.Validate(errors);
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    internal void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            var text = new StringBuilder("invalid transport options:");
            foreach (string e in errors)
            {
                text.Append("\n  ").Append(e);
            }

            throw new ArgumentException(text.ToString());
        }
    }

    internal static void Check(List<string> errors, bool ok, string name, object value, string allowed)
    {
        if (!ok)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} = {value}: must be {allowed}"));
        }
    }

    private static bool IsPowerOfTwo(int value, int min, int max) => value >= min && value <= max && (value & (value - 1)) == 0;
}
