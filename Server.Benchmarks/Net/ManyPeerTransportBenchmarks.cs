using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Benchmarks.Net;

/// <summary>
/// Question: what does the transport cost per round trip when it serves many peers, each visited once per
/// round, as the echo load test's 500 clients are? One peer's state stays in the caches between its round
/// trips; 500 peers' state on each side does not. Every invocation is 500 echo round trips over an
/// <see cref="InMemoryLink"/> (no kernel): with <see cref="Peers"/> = 1, 500 rounds of one client; with
/// 500, one round in which every client sends, the server answers all, every client reads its echo.
/// Acks ride on the next message (clients are not flushed after reading), as in the load test. The
/// 1-peer row is the baseline: the difference is what cold per-peer state costs.
/// </summary>
[MemoryDiagnoser]
public class ManyPeerTransportBenchmarks
{
    private const int RoundTrips = 500;
    private readonly byte[] _payload = new byte[32];
    private NetHost _server = null!;
    private NetHost[] _clients = null!;
    private NetPeer[] _peers = null!;
    private InMemoryLink _link = null!;
    private EchoBackListener _serverEvents;
    private CountingClientListener _clientEvents;

    [Params(1, 500)]
    public int Peers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _server = new NetHost(new NetHostOptions { ReceiveThread = false, MaxConnectAttemptsPerSecond = 100_000 }); // every client comes from 127.0.0.1
        if (!_server.StartServer(IPAddress.Loopback, 0, out string? error))
        {
            throw new InvalidOperationException(error);
        }

        _clients = new NetHost[Peers];
        _peers = new NetPeer[Peers];
        for (int i = 0; i < Peers; i++)
        {
            _clients[i] = new NetHost(new NetHostOptions { ReceiveThread = false });
            if (!_clients[i].StartClient(AddressFamily.InterNetwork, out error))
            {
                throw new InvalidOperationException(error);
            }
        }

        _link = new InMemoryLink(_server, _clients);
        for (int i = 0; i < Peers; i++)
        {
            _peers[i] = _clients[i].Connect(_link.ServerEndPoint, "bench"u8);
        }

        _link.Deliver(ref _clientEvents, ref _serverEvents);
        if (_peers.Any(p => p.State != NetPeerState.Connected))
        {
            throw new InvalidOperationException("the in-memory handshake did not complete for every client");
        }

        foreach (DeliveryMethod method in new[] { DeliveryMethod.Unreliable, DeliveryMethod.ReliableOrdered })
        {
            long before = _clientEvents.Messages;
            for (int i = 0; i < 20; i++)
            {
                Run(method);
            }

            if (_clientEvents.Messages - before != 20 * RoundTrips || _link.Dropped != 0)
            {
                throw new InvalidOperationException($"{method}: {_clientEvents.Messages - before} of {20 * RoundTrips} echoes came back, {_link.Dropped} dropped");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (NetHost client in _clients)
        {
            client.Dispose();
        }

        _server.Dispose();
    }

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public long Unreliable() => Run(DeliveryMethod.Unreliable);

    [Benchmark(OperationsPerInvoke = RoundTrips)]
    public long ReliableOrdered() => Run(DeliveryMethod.ReliableOrdered);

    private long Run(DeliveryMethod method)
    {
        for (int round = 0; round < RoundTrips / _peers.Length; round++)
        {
            for (int i = 0; i < _peers.Length; i++)
            {
                _peers[i].Send(_payload, method);
                _clients[i].Flush();
            }

            _link.Deliver(ref _clientEvents, ref _serverEvents, flushClients: false);
        }

        return _clientEvents.Messages;
    }
}
