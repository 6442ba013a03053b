using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;

namespace Realm.Server.Benchmarks.Net;

/// <summary>
/// Question: does the receive loop's choice of overload (DESIGN.md, threads and data flow 1) remove the
/// per-datagram allocation? One operation is a loopback send plus the receive of that datagram.
/// Baseline: the classic <c>EndPoint</c> overloads, which allocate an <see cref="IPEndPoint"/> per
/// receive. Realm: span buffers with a reused <see cref="SocketAddress"/> (.NET 8+), which should not.
/// </summary>
[MemoryDiagnoser]
public class SocketReceiveFromBenchmarks
{
    private const int PayloadBytes = 64;

    private readonly byte[] _payload = new byte[PayloadBytes];
    private readonly byte[] _buffer = new byte[2048];
    private Socket _sender = null!;
    private Socket _receiver = null!;
    private IPEndPoint _receiverEndPoint = null!;
    private SocketAddress _receiverAddress = null!;
    private SocketAddress _from = null!;
    private EndPoint _anyEndPoint = null!;

    [GlobalSetup]
    public void Setup()
    {
        _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _receiver.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _receiverEndPoint = (IPEndPoint)_receiver.LocalEndPoint!;
        _receiverAddress = _receiverEndPoint.Serialize();
        _sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _from = new SocketAddress(AddressFamily.InterNetwork);
        _anyEndPoint = new IPEndPoint(IPAddress.Any, 0);
        new Random(7).NextBytes(_payload);

        // Correctness: both variants deliver the payload and name the sender.
        if (EndPointOverloads() != PayloadBytes || SocketAddressOverloads() != PayloadBytes)
        {
            throw new InvalidOperationException("loopback datagram was not received whole");
        }

        if (!_buffer.AsSpan(0, PayloadBytes).SequenceEqual(_payload) || !_sender.LocalEndPoint!.Serialize().Equals(_from))
        {
            throw new InvalidOperationException("received payload or sender address differs from what was sent");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int EndPointOverloads()
    {
        _sender.SendTo(_payload, _receiverEndPoint);
        EndPoint from = _anyEndPoint;
        return _receiver.ReceiveFrom(_buffer, ref from);
    }

    [Benchmark]
    public int SocketAddressOverloads()
    {
        _sender.SendTo(_payload, SocketFlags.None, _receiverAddress);
        return _receiver.ReceiveFrom(_buffer, SocketFlags.None, _from);
    }
}
