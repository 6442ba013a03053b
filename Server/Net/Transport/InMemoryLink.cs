using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Two started hosts wired to each other in memory through their <see cref="NetHost.Tap"/>: what one
/// sends is queued here and handed to the other by <see cref="Deliver{TClient, TServer}"/>, with no socket
/// and no kernel in between. Benchmarks use it to measure the transport's own cost per message
/// (receive → dispatch → reply); tests use it to check that path. Fixed-size queues, no allocation
/// after construction. Not thread-safe: one thread pumps both hosts.
/// </summary>
internal sealed class InMemoryLink
{
    private readonly Queue _toServer;
    private readonly Queue _toClient;

    /// <param name="client">A host started with <see cref="NetHost.StartClient"/>.</param>
    /// <param name="server">A host started with <see cref="NetHost.StartServer"/>.</param>
    /// <param name="capacity">Datagrams each direction can hold between deliveries; more are dropped (like a full socket buffer).</param>
    public InMemoryLink(NetHost client, NetHost server, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(server);
        IPEndPoint serverEndPoint = server.LocalEndPoint ?? throw new ArgumentException("start the server first", nameof(server));
        IPEndPoint clientEndPoint = client.LocalEndPoint ?? throw new ArgumentException("start the client first", nameof(client));
        Client = client;
        Server = server;
        ServerAddress = serverEndPoint.Serialize();
        ClientAddress = new IPEndPoint(serverEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, clientEndPoint.Port).Serialize();
        _toServer = new Queue(capacity, server.Options.Mtu);
        _toClient = new Queue(capacity, client.Options.Mtu);
        client.Tap = _toServer;
        server.Tap = _toClient;
    }

    public NetHost Client { get; }

    public NetHost Server { get; }

    /// <summary>Where the client connects to (<see cref="NetHost.Connect"/>).</summary>
    public SocketAddress ServerAddress { get; }

    /// <summary>The address the server sees the client's datagrams come from.</summary>
    public SocketAddress ClientAddress { get; }

    /// <summary>Datagrams dropped because a direction's queue was full.</summary>
    public long Dropped => _toServer.Dropped + _toClient.Dropped;

    /// <summary>The server endpoint to pass to <see cref="NetHost.Connect"/>.</summary>
    public IPEndPoint ServerEndPoint => Server.LocalEndPoint!;

    /// <summary>
    /// Hands every queued datagram to its host — client → server, then server → client — and repeats
    /// while the deliveries produce more, at most <paramref name="maxPasses"/> times.
    /// </summary>
    /// <returns>Datagrams delivered.</returns>
    public int Deliver<TClient, TServer>(ref TClient clientListener, ref TServer serverListener, int maxPasses = 8)
        where TClient : INetEventListener
        where TServer : INetEventListener
    {
        int delivered = 0;
        for (int pass = 0; pass < maxPasses && (_toServer.Count > 0 || _toClient.Count > 0); pass++)
        {
            delivered += _toServer.DrainInto(Server, ClientAddress, ref serverListener);
            Server.Flush();
            delivered += _toClient.DrainInto(Client, ServerAddress, ref clientListener);
            Client.Flush();
        }

        return delivered;
    }

    private sealed class Queue : IDatagramTap
    {
        private readonly byte[][] _data;
        private readonly int[] _lengths;
        private int _count;

        public Queue(int capacity, int mtu)
        {
            _data = new byte[capacity][];
            _lengths = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _data[i] = new byte[mtu];
            }
        }

        public int Count => _count;

        public long Dropped { get; private set; }

        public void OnSend(ReadOnlySpan<byte> datagram, SocketAddress to)
        {
            if (_count == _data.Length || datagram.Length > _data[_count].Length)
            {
                Dropped++;
                return;
            }

            datagram.CopyTo(_data[_count]);
            _lengths[_count++] = datagram.Length;
        }

        /// <summary>Delivers what is queued now; what the host sends meanwhile goes to the other queue.</summary>
        public int DrainInto<TListener>(NetHost host, SocketAddress from, ref TListener listener)
            where TListener : INetEventListener
        {
            int n = _count;
            for (int i = 0; i < n; i++)
            {
                host.Inject(_data[i].AsSpan(0, _lengths[i]), from, ref listener);
            }

            // Injecting into one host only ever queues in the other direction, so nothing was added here.
            _count = 0;
            return n;
        }
    }
}
