using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Realm.Server.Net.Transport;
using Realm.Server.Net.Wire;

namespace Realm.Server.Benchmarks.Net;

/// <summary>
/// Question: what does the transport itself cost per message, with the kernel taken out? A client and a
/// server <see cref="NetHost"/> are joined by an <see cref="InMemoryLink"/>; one operation is a full
/// round trip: client Send and Flush (frame, header, acks, send log), server receive → dispatch →
/// the echo's Send → Flush, client receive → dispatch. Baseline: the same with Unreliable messages,
/// so the reliable rows show what reliability adds. Target (TARGETS.md): 0 B per message.
/// </summary>
[MemoryDiagnoser]
public class TransportPathBenchmarks
{
    private readonly byte[] _payload = new byte[32];
    private NetHost _server = null!;
    private NetHost _client = null!;
    private InMemoryLink _link = null!;
    private NetPeer _peer = null!;
    private EchoBackListener _serverEvents;
    private CountingClientListener _clientEvents;

    [GlobalSetup]
    public void Setup()
    {
        _server = new NetHost(new NetHostOptions { ReceiveThread = false });
        _client = new NetHost(new NetHostOptions { ReceiveThread = false });
        if (!_server.StartServer(IPAddress.Loopback, 0, out string? error) || !_client.StartClient(AddressFamily.InterNetwork, out error))
        {
            throw new InvalidOperationException(error);
        }

        _link = new InMemoryLink(_client, _server);
        _peer = _client.Connect(_link.ServerEndPoint, "bench"u8);
        _link.Deliver(ref _clientEvents, ref _serverEvents);
        if (_peer.State != NetPeerState.Connected)
        {
            throw new InvalidOperationException("the in-memory handshake did not complete");
        }

        foreach (DeliveryMethod method in new[] { DeliveryMethod.Unreliable, DeliveryMethod.ReliableOrdered, DeliveryMethod.ReliableUnordered })
        {
            long before = _clientEvents.Messages;
            for (int i = 0; i < 1000; i++)
            {
                RoundTrip(method);
            }

            if (_clientEvents.Messages - before != 1000)
            {
                throw new InvalidOperationException($"{method}: only {_clientEvents.Messages - before} of 1000 echoes came back");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long Unreliable() => RoundTrip(DeliveryMethod.Unreliable);

    [Benchmark]
    public long ReliableOrdered() => RoundTrip(DeliveryMethod.ReliableOrdered);

    [Benchmark]
    public long ReliableUnordered() => RoundTrip(DeliveryMethod.ReliableUnordered);

    private long RoundTrip(DeliveryMethod method)
    {
        _peer.Send(_payload, method);
        _client.Flush();
        _link.Deliver(ref _clientEvents, ref _serverEvents);
        return _clientEvents.Messages;
    }
}
