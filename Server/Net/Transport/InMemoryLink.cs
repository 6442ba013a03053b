using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net.Transport;

/// <summary>
/// Started hosts — one server and one or more clients — wired to each other in memory through their
/// <see cref="NetHost.Tap"/>: what one sends is queued here and handed to the other by
/// <see cref="Deliver{TClient, TServer}"/>, with no socket and no kernel in between. Benchmarks use it to
/// measure the transport's own cost per message (receive → dispatch → reply), with one peer or with
/// many (whose state no longer fits the caches the way one peer's does); tests use it to check that path.
/// Fixed-size queues, no allocation after construction. Not thread-safe: one thread pumps every host.
/// </summary>
internal sealed class InMemoryLink
{
    private readonly Queue _toServer;
    private readonly Queue _toClients;
    private readonly NetHost[] _clients;
    private readonly SocketAddress[] _clientAddresses;
    private readonly Dictionary<int, int> _clientByPort = new();

    /// <param name="client">A host started with <see cref="NetHost.StartClient"/>.</param>
    /// <param name="server">A host started with <see cref="NetHost.StartServer"/>.</param>
    /// <param name="capacity">Datagrams each direction can hold between deliveries; more are dropped (like a full socket buffer).</param>
    public InMemoryLink(NetHost client, NetHost server, int capacity = 4096)
        : this(server, [client], capacity)
    {
    }

    /// <param name="server">A host started with <see cref="NetHost.StartServer"/>.</param>
    /// <param name="clients">Hosts started with <see cref="NetHost.StartClient"/>; the server tells them apart by their bound ports.</param>
    /// <param name="capacity">Datagrams each direction can hold between deliveries; more are dropped (like a full socket buffer).</param>
    public InMemoryLink(NetHost server, IReadOnlyList<NetHost> clients, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentOutOfRangeException.ThrowIfZero(clients.Count);
        IPEndPoint serverEndPoint = server.LocalEndPoint ?? throw new ArgumentException("start the server first", nameof(server));
        IPAddress loopback = serverEndPoint.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
        Server = server;
        ServerAddress = serverEndPoint.Serialize();
        _clients = new NetHost[clients.Count];
        _clientAddresses = new SocketAddress[clients.Count];
        int mtu = server.Options.Mtu;
        for (int i = 0; i < clients.Count; i++)
        {
            NetHost client = clients[i] ?? throw new ArgumentException($"client {i} is null", nameof(clients));
            IPEndPoint clientEndPoint = client.LocalEndPoint ?? throw new ArgumentException($"start client {i} first", nameof(clients));
            if (!_clientByPort.TryAdd(clientEndPoint.Port, i))
            {
                throw new ArgumentException($"clients {_clientByPort[clientEndPoint.Port]} and {i} share port {clientEndPoint.Port}", nameof(clients));
            }

            _clients[i] = client;
            _clientAddresses[i] = new IPEndPoint(loopback, clientEndPoint.Port).Serialize();
            mtu = Math.Max(mtu, client.Options.Mtu);
        }

        _toServer = new Queue(capacity, mtu);
        _toClients = new Queue(capacity, mtu);
        for (int i = 0; i < _clients.Length; i++)
        {
            _clients[i].Tap = new ClientTap(_toServer, i);
        }

        server.Tap = new ServerTap(this);
    }

    /// <summary>The first (or only) client.</summary>
    public NetHost Client => _clients[0];

    public NetHost Server { get; }

    /// <summary>Where the clients connect to (<see cref="NetHost.Connect"/>).</summary>
    public SocketAddress ServerAddress { get; }

    /// <summary>The address the server sees the first client's datagrams come from.</summary>
    public SocketAddress ClientAddress => _clientAddresses[0];

    /// <summary>Datagrams dropped because a direction's queue was full, or sent by the server to an address that is no client's.</summary>
    public long Dropped => _toServer.Dropped + _toClients.Dropped;

    /// <summary>The server endpoint to pass to <see cref="NetHost.Connect"/>.</summary>
    public IPEndPoint ServerEndPoint => Server.LocalEndPoint!;

    /// <summary>
    /// Hands every queued datagram to its host — clients → server, then server → clients — and repeats
    /// while the deliveries produce more, at most <paramref name="maxPasses"/> times.
    /// </summary>
    /// <param name="clientListener">Events of every client.</param>
    /// <param name="serverListener">Events of the server.</param>
    /// <param name="maxPasses">Deliveries each way at most.</param>
    /// <param name="flushClients">Flush each client that received something after its delivery (its acks and
    /// answers leave at once); false leaves that to the caller's next <see cref="NetHost.Flush"/>, where acks
    /// ride on the client's next message, as in a game client's loop.</param>
    /// <returns>Datagrams delivered.</returns>
    public int Deliver<TClient, TServer>(ref TClient clientListener, ref TServer serverListener, int maxPasses = 8, bool flushClients = true)
        where TClient : INetEventListener
        where TServer : INetEventListener
    {
        int delivered = 0;
        for (int pass = 0; pass < maxPasses && (_toServer.Count > 0 || _toClients.Count > 0); pass++)
        {
            int n = _toServer.Count;
            for (int i = 0; i < n; i++)
            {
                Server.Inject(_toServer.Data(i), _clientAddresses[_toServer.Who(i)], ref serverListener);
            }

            _toServer.Clear(); // injecting into the server only ever queues toward the clients
            Server.Flush();
            int m = _toClients.Count;
            for (int i = 0; i < m; i++)
            {
                _clients[_toClients.Who(i)].Inject(_toClients.Data(i), ServerAddress, ref clientListener);
            }

            if (flushClients)
            {
                for (int i = 0; i < m; i++)
                {
                    _clients[_toClients.Who(i)].Flush(); // a client with several datagrams flushes again: nothing left to send
                }
            }

            _toClients.Clear();
            delivered += n + m;
        }

        return delivered;
    }

    private static int PortOf(SocketAddress address) => BinaryPrimitives.ReadUInt16BigEndian(address.Buffer.Span[2..4]); // sockaddr_in(6): family, then port

    private sealed class Queue
    {
        private readonly byte[][] _data;
        private readonly int[] _lengths;
        private readonly int[] _who;
        private int _count;

        public Queue(int capacity, int mtu)
        {
            _data = new byte[capacity][];
            _lengths = new int[capacity];
            _who = new int[capacity];
            for (int i = 0; i < capacity; i++)
            {
                _data[i] = new byte[mtu];
            }
        }

        public int Count => _count;

        public long Dropped { get; set; }

        public ReadOnlySpan<byte> Data(int i) => _data[i].AsSpan(0, _lengths[i]);

        public int Who(int i) => _who[i];

        public void Add(ReadOnlySpan<byte> datagram, int who)
        {
            if (_count == _data.Length || datagram.Length > _data[_count].Length)
            {
                Dropped++;
                return;
            }

            datagram.CopyTo(_data[_count]);
            _lengths[_count] = datagram.Length;
            _who[_count++] = who;
        }

        public void Clear() => _count = 0;
    }

    private sealed class ClientTap(Queue toServer, int client) : IDatagramTap
    {
        public void OnSend(ReadOnlySpan<byte> datagram, SocketAddress to) => toServer.Add(datagram, client);
    }

    private sealed class ServerTap(InMemoryLink link) : IDatagramTap
    {
        public void OnSend(ReadOnlySpan<byte> datagram, SocketAddress to)
        {
            if (link._clientByPort.TryGetValue(PortOf(to), out int client))
            {
                link._toClients.Add(datagram, client);
            }
            else
            {
                link._toClients.Dropped++;
            }
        }
    }
}
