using System.Net;
using Realm.Server.Net.Native;

namespace Realm.Server.Net.Transport;

/// <summary>The host's peers: finding a datagram's peer, adding and removing peers, the dirty list, and the timers.</summary>
internal sealed partial class NetHost
{
    internal void MarkDirty(NetPeer peer)
    {
        if (!peer.IsDirty)
        {
            peer.IsDirty = true;
            if (_dirtyTail is null)
            {
                _dirtyHead = peer;
            }
            else
            {
                _dirtyTail.NextDirty = peer;
            }

            _dirtyTail = peer;
        }
    }

    private void CheckTimers(long now)
    {
        if (_onlyPeer is not null)
        {
            CheckTimers(_onlyPeer, now);
            return;
        }

        for (int i = _peerList.Count - 1; i >= 0; i--)
        {
            if (i < _peerList.Count)
            {
                CheckTimers(_peerList[i], now); // may remove the peer: the list shrinks behind the index
            }
        }
    }

    private void CheckTimers(NetPeer peer, long now)
    {
        if (peer.State == NetPeerState.Connecting)
        {
            if (now - peer.ConnectStarted >= _connectTimeoutTicks)
            {
                DisconnectPeer(peer, DisconnectReason.ConnectTimeout, default, notifyRemote: false);
            }
            else if (now - peer.LastConnectAttempt >= _retryTicks)
            {
                SendConnectAttempt(peer, now);
            }
        }
        else if (peer.State == NetPeerState.Connected && now - peer.LastReceived >= _timeoutTicks)
        {
            DisconnectPeer(peer, DisconnectReason.Timeout, default, notifyRemote: false);
        }
    }

    /// <summary>The peer a datagram from <paramref name="from"/> belongs to: the last sender first (a client host has one peer, and a server often gets runs from one), then the table.</summary>
    private NetPeer? FindPeer(SocketAddress from)
    {
        if (PeerTable.TryKey(from, out long key))
        {
            return FindPeer(key);
        }

        NetPeer? peer = _lastSender;
        if (peer is not null && peer.Address.Equals(from))
        {
            return peer;
        }

        if (_peers.TryGetValue(from, out peer))
        {
            _lastSender = peer;
        }

        return peer;
    }

    /// <summary>An IPv4 peer by its 64-bit key: compared with the last sender's key, a field of the peer object (not its address object and buffer), then looked up.</summary>
    private NetPeer? FindPeer(long key)
    {
        NetPeer? peer = _lastSender;
        if (peer is not null && peer.AddressKey == key)
        {
            return peer;
        }

        if (_peers.TryGetValue(key, out peer))
        {
            _lastSender = peer;
        }

        return peer;
    }

    /// <summary>
    /// The peer for datagram <paramref name="i"/> of a received batch, found without copying its source
    /// address out of the batch: on a connected socket (<see cref="NetHostOptions.ConnectSocket"/>) every
    /// datagram is the server's, which the kernel made sure of; an IPv4 source is compared as one 64-bit
    /// key, against the last sender's (a field of the peer object, no <see cref="SocketAddress"/> read)
    /// and then in the table. False when only the address itself can tell (IPv6).
    /// </summary>
    private bool TryFindPeer(UdpBatch batch, int i, out NetPeer? peer)
    {
        if (_socketConnected)
        {
            peer = _onlyPeer;
            return true;
        }

        if (!PeerTable.TryKey(batch.Source(i), out long key))
        {
            peer = null;
            return false;
        }

        peer = FindPeer(key);
        return true;
    }

    private void AddPeer(NetPeer peer)
    {
        _peers.Add(peer.Address, peer);
        peer.ListIndex = _peerList.Count;
        _peerList.Add(peer);
        _onlyPeer = _peerList.Count == 1 ? peer : null;
    }

    private void RemovePeer(NetPeer peer)
    {
        _peers.Remove(peer.Address);
        if (_lastSender == peer)
        {
            _lastSender = null;
        }

        int index = peer.ListIndex;
        int last = _peerList.Count - 1;
        if (index >= 0 && index <= last && _peerList[index] == peer)
        {
            _peerList[index] = _peerList[last];
            _peerList[index].ListIndex = index;
            _peerList.RemoveAt(last);
        }

        _onlyPeer = _peerList.Count == 1 ? _peerList[0] : null;

        peer.ListIndex = -1;
    }
}
