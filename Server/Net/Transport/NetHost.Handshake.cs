using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Realm.Server.Net.Handshake;
using Realm.Server.Net.Wire;
using Realm.Server.Protocol;

namespace Realm.Server.Net.Transport;

/// <summary>The connection handshake of <see cref="NetHost"/>: both the server's and the client's side.</summary>
internal sealed partial class NetHost
{
    /// <summary>Starts connecting to <paramref name="server"/>; the outcome is an OnConnected or OnDisconnected event from <c>Poll</c>.</summary>
    /// <param name="server">The server's endpoint.</param>
    /// <param name="data">Connect data for the server's application (protocol version, token); at most <see cref="MaxConnectDataBytes"/> bytes.</param>
    public NetPeer Connect(IPEndPoint server, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(server);
        Socket socket = _socket ?? throw new InvalidOperationException("start the host before connecting");
        if (data.Length > MaxConnectDataBytes)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(data), $"connect data of {data.Length} bytes exceeds {MaxConnectDataBytes}");
        }

        IPEndPoint target = socket.AddressFamily == AddressFamily.InterNetworkV6 && server.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(server.Address.MapToIPv6(), server.Port)
            : server;
        SocketAddress address = target.Serialize();
        if (_peers.ContainsKey(address))
        {
            ThrowHelper.ThrowInvalidOperation($"already connected or connecting to {server}");
        }

        if (Options.ConnectSocket)
        {
            if (_peers.Count > 0)
            {
                ThrowHelper.ThrowInvalidOperation($"ConnectSocket: this host's socket talks to one server, and a peer exists; cannot also connect to {server}");
            }

            socket.Connect(target); // UDP: only sets the default destination and the source filter; nothing is sent
            _socketConnected = true;
        }

        long now = Stopwatch.GetTimestamp();
        var peer = new NetPeer(this, ++_nextPeerId, address, BinaryPrimitives.ReadUInt64LittleEndian(RandomNumberGenerator.GetBytes(8)), NetPeerState.Connecting, now)
        {
            ConnectData = data.ToArray(),
        };
        AddPeer(peer);
        SendConnectAttempt(peer, now);
        FlushSends();
        return peer;
    }

    private void OnConnectRequest(ReadOnlySpan<byte> datagram, SocketAddress from, long now)
    {
        if (!_accepting)
        {
            Statistics.Drop(DropReason.NotAccepting);
            return;
        }

        var reader = new PacketReader(datagram[1..]);
        if (datagram.Length < ConnectRequestBytes || !reader.TryReadUInt32(out _) || !reader.TryReadUInt64(out ulong nonce))
        {
            Statistics.Drop(DropReason.BadHandshake); // too short to answer without amplifying
            return;
        }

        if (!_rateLimiter.TryAcquire(from, Environment.TickCount64))
        {
            Statistics.Drop(DropReason.RateLimited);
            return;
        }

        Span<byte> reply = stackalloc byte[ChallengeBytes];
        reply[0] = (byte)PacketKind.Challenge;
        BinaryPrimitives.WriteUInt64LittleEndian(reply[1..], nonce);
        _cookies.Create(from, nonce, Environment.TickCount64, reply[9..]);
        Send(reply, from, now);
    }

    private void OnConnectResponse<TListener>(ReadOnlySpan<byte> datagram, SocketAddress from, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        if (!_accepting)
        {
            Statistics.Drop(DropReason.NotAccepting);
            return;
        }

        var reader = new PacketReader(datagram[1..]);
        if (!reader.TryReadUInt32(out uint protocol) || !reader.TryReadUInt64(out ulong nonce)
            || !reader.TryReadRaw(ConnectCookies.CookieBytes, out ReadOnlySpan<byte> cookie)
            || !reader.TryReadBytes(MaxConnectDataBytes, out ReadOnlySpan<byte> data))
        {
            Statistics.Drop(DropReason.BadHandshake);
            return;
        }

        if (!_cookies.IsValid(from, nonce, Environment.TickCount64, cookie))
        {
            Statistics.Drop(DropReason.BadCookie);
            return;
        }

        if (_peers.TryGetValue(from, out NetPeer? existing))
        {
            if (existing.Token == nonce && existing.State == NetPeerState.Connected)
            {
                SendAccept(from, nonce, now); // our accept was lost; the client asks again
            }
            else
            {
                Statistics.Drop(DropReason.BadHandshake);
            }

            return;
        }

        int limit = datagram.Length;
        if (protocol != Options.ProtocolId)
        {
            SendReject(from, nonce, RejectCode.ProtocolMismatch, default, limit, now);
            return;
        }

        if (Statistics.Peers >= Options.MaxPeers)
        {
            SendReject(from, nonce, RejectCode.ServerFull, default, limit, now);
            return;
        }

        ConnectDecision decision = listener.OnConnectRequest(new ConnectRequest(from, data));
        if (!decision.IsAccepted)
        {
            SendReject(from, nonce, RejectCode.Application, decision.Reason, limit, now);
            return;
        }

        var address = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(address.Buffer.Span);
        var peer = new NetPeer(this, ++_nextPeerId, address, nonce, NetPeerState.Connected, now);
        AddPeer(peer);
        Interlocked.Increment(ref Statistics.PeersField);
        SendAccept(from, nonce, now);
        listener.OnConnected(peer);
    }

    private void OnServerReply<TListener>(ReadOnlySpan<byte> datagram, SocketAddress from, long now, ref TListener listener)
        where TListener : INetEventListener
    {
        var reader = new PacketReader(datagram[1..]);
        if (!_peers.TryGetValue(from, out NetPeer? peer) || peer.State != NetPeerState.Connecting)
        {
            Statistics.Drop(DropReason.UnknownPeer);
            return;
        }

        if (!reader.TryReadUInt64(out ulong nonce) || nonce != peer.Token)
        {
            Statistics.Drop(DropReason.BadHandshake);
            return;
        }

        switch ((PacketKind)datagram[0])
        {
            case PacketKind.Challenge:
                if (!reader.TryReadRaw(ConnectCookies.CookieBytes, out ReadOnlySpan<byte> cookie))
                {
                    Statistics.Drop(DropReason.BadHandshake);
                    return;
                }

                peer.Cookie = cookie.ToArray();
                SendConnectAttempt(peer, now);
                break;
            case PacketKind.Accept:
                peer.State = NetPeerState.Connected;
                peer.LastReceived = now;
                Interlocked.Increment(ref Statistics.PeersField);
                listener.OnConnected(peer);
                break;
            default:
                if (!reader.TryReadByte(out byte code) || !reader.TryReadBytes(Options.Mtu, out ReadOnlySpan<byte> reason))
                {
                    Statistics.Drop(DropReason.BadHandshake);
                    return;
                }

                DisconnectReason why = (RejectCode)code switch
                {
                    RejectCode.ServerFull => DisconnectReason.ServerFull,
                    RejectCode.ProtocolMismatch => DisconnectReason.ProtocolMismatch,
                    _ => DisconnectReason.Rejected,
                };
                DisconnectPeer(peer, why, reason, notifyRemote: false);
                break;
        }
    }

    private void SendConnectAttempt(NetPeer peer, long now)
    {
        peer.LastConnectAttempt = now;
        Span<byte> buffer = Scratch.AsSpan(0, _scratchBytes);
        var writer = new PacketWriter(buffer, buffer.Length);
        if (peer.Cookie is null)
        {
            writer.WriteByte((byte)PacketKind.ConnectRequest);
            writer.WriteUInt32(Options.ProtocolId);
            writer.WriteUInt64(peer.Token);
            Pad(ref writer, ConnectRequestBytes);
        }
        else
        {
            writer.WriteByte((byte)PacketKind.ConnectResponse);
            writer.WriteUInt32(Options.ProtocolId);
            writer.WriteUInt64(peer.Token);
            writer.WriteRaw(peer.Cookie);
            writer.WriteBytes(peer.ConnectData);
            Pad(ref writer, Math.Min(ConnectResponseBytes, Options.Mtu));
        }

        Send(writer.Written, peer.Address, now);
    }

    private static void Pad(ref PacketWriter writer, int size)
    {
        while (writer.Length < size)
        {
            writer.WriteByte(0);
        }
    }

    private void SendAccept(SocketAddress to, ulong nonce, long now)
    {
        Span<byte> reply = stackalloc byte[9];
        reply[0] = (byte)PacketKind.Accept;
        BinaryPrimitives.WriteUInt64LittleEndian(reply[1..], nonce);
        Send(reply, to, now);
    }

    private void SendReject(SocketAddress to, ulong nonce, RejectCode code, ReadOnlySpan<byte> reason, int limit, long now)
    {
        // Never larger than the request: kind + nonce + code + a length varint of at most 2 bytes, then the reason, trimmed.
        int room = Math.Max(0, Math.Min(limit, _scratchBytes) - 13);
        reason = reason[..Math.Min(reason.Length, Math.Min(room, 127))];
        Span<byte> buffer = Scratch.AsSpan(0, _scratchBytes);
        var writer = new PacketWriter(buffer, buffer.Length);
        writer.WriteByte((byte)PacketKind.Reject);
        writer.WriteUInt64(nonce);
        writer.WriteByte((byte)code);
        writer.WriteBytes(reason);
        Send(writer.Written, to, now);
        writer.Dispose(); // never grew (the reply fits the scratch buffer); keeps the pattern uniform
    }

    private void SendDisconnect(NetPeer peer, ReadOnlySpan<byte> data, bool bypassConditioner)
    {
        data = data[..Math.Min(data.Length, Options.Mtu - 16)];
        Span<byte> buffer = Scratch.AsSpan(0, _scratchBytes);
        var writer = new PacketWriter(buffer, buffer.Length);
        writer.WriteByte((byte)PacketKind.Disconnect);
        writer.WriteUInt64(peer.Token);
        writer.WriteBytes(data);
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < 2; i++)
        {
            if (bypassConditioner)
            {
                SendRaw(writer.Written, peer.Address);
            }
            else
            {
                SendDatagram(writer.Written, peer, now);
            }
        }

        writer.Dispose();
    }
}
