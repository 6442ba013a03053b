using System.Net;
using System.Net.Sockets;
using Realm.Server.Net.Native;

namespace Realm.Server.Net;

/// <summary>
/// The receive thread: a blocking, span-based <c>ReceiveFrom</c> loop into one reused buffer and one
/// reused <see cref="SocketAddress"/>, so a datagram costs no allocation. Every datagram is counted and
/// handed to the <see cref="IDatagramSink"/> (the transport's queue to its logic thread); with no sink it is dropped.
/// </summary>
/// <remarks>
/// One dedicated background thread. <see cref="Stop"/> closes the socket, which wakes the blocked
/// receive; counters may be read from any thread. On 64-bit Linux it takes up to a batch of datagrams
/// per system call (<see cref="UdpBatch"/>, <c>recvmmsg</c>) instead of one.
/// </remarks>
internal sealed class DatagramReceiver
{
    /// <summary>Largest UDP payload over IPv4 (65,535 − 20 − 8); anything bigger cannot arrive.</summary>
    public const int MaxDatagramBytes = 65_507;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly IDatagramSink? _sink;
    private readonly int _batch;
    private readonly int _largestAccepted;
    private long _datagrams;
    private long _bytes;
    private volatile bool _stopping;

    /// <param name="socket">A bound UDP socket; the receiver owns it from <see cref="Start"/> on.</param>
    /// <param name="sink">Takes each datagram; null counts and drops.</param>
    /// <param name="batch">Datagrams per system call where batching is supported; 1 turns it off.</param>
    /// <param name="largestAccepted">
    /// With batching, each slot holds this many bytes plus one, so anything larger reaches the sink one
    /// byte longer than this (truncated) and the sink can drop it as oversized.
    /// </param>
    public DatagramReceiver(Socket socket, IDatagramSink? sink = null, int batch = 32, int largestAccepted = 2048)
    {
        _socket = socket;
        _sink = sink;
        _batch = LinuxUdp.IsSupported ? Math.Max(1, batch) : 1;
        _largestAccepted = largestAccepted;
        _thread = new Thread(Run) { IsBackground = true, Name = "realm-udp-receive" };
    }

    /// <summary>Datagrams received since start.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagrams);

    /// <summary>Payload bytes received since start.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>True while the receive thread runs.</summary>
    public bool IsRunning => _thread.IsAlive;

    public void Start()
    {
        if (_batch > 1)
        {
            // The timeout bounds how long a blocked batch receive can outlive Stop, whatever the runtime
            // does to wake it when the socket closes. Set here, before the thread runs, so a Stop that
            // follows at once cannot find the socket closed under the setting.
            _socket.ReceiveTimeout = 250;
        }

        _thread.Start();
    }

    /// <summary>Closes the socket and waits for the thread to leave its loop.</summary>
    /// <returns>False when the thread did not end within <paramref name="timeout"/>.</returns>
    public bool Stop(TimeSpan timeout)
    {
        _stopping = true;
        _socket.Dispose();
        return !_thread.IsAlive || _thread.Join(timeout);
    }

    private void Run()
    {
        if (_batch > 1)
        {
            RunBatched();
            return;
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagramBytes, pinned: true);
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // An ICMP port-unreachable from an earlier send surfaces here on some platforms; it says
                // nothing about this socket, so keep receiving.
                continue;
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }

            // Single writer; Interlocked so readers on other threads see whole, current values.
            Interlocked.Increment(ref _datagrams);
            Interlocked.Add(ref _bytes, received);
            _sink?.OnDatagram(buffer.AsSpan(0, received), from);
        }
    }

    private void RunBatched()
    {
        using var batch = new UdpBatch(_batch, _largestAccepted + 1);
        var from = new SocketAddress(_socket.AddressFamily);

        while (!_stopping)
        {
            int received;
            try
            {
                received = batch.Receive(_socket, block: true, out _);
                if (received <= 0)
                {
                    // EAGAIN: the timeout, or a socket in non-blocking mode; or an error such as an ICMP
                    // report from an earlier send. Wait here for readability, never in a busy loop.
                    _socket.Poll(TimeSpan.FromMilliseconds(250), SelectMode.SelectRead);
                    continue;
                }
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }

            for (int i = 0; i < received; i++)
            {
                ReadOnlySpan<byte> datagram = batch.Data(i);
                Interlocked.Increment(ref _datagrams);
                Interlocked.Add(ref _bytes, datagram.Length);
                if (_sink is not null)
                {
                    batch.ReadAddress(i, from);
                    _sink.OnDatagram(datagram, from);
                }
            }
        }
    }
}

/// <summary>Takes each datagram from the receive thread; must copy what it keeps, and must not block.</summary>
internal interface IDatagramSink
{
    void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from);
}
