using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net;

/// <summary>
/// The receive thread: a blocking, span-based <c>ReceiveFrom</c> loop into one reused buffer and one
/// reused <see cref="SocketAddress"/>, so a datagram costs no allocation. Every datagram is counted and
/// handed to the <see cref="IDatagramSink"/> (the transport's queue to its logic thread); with no sink it is dropped.
/// </summary>
/// <remarks>
/// One dedicated background thread. <see cref="Stop"/> closes the socket, which wakes the blocked
/// receive; counters may be read from any thread.
/// </remarks>
internal sealed class DatagramReceiver
{
    /// <summary>Largest UDP payload over IPv4 (65,535 − 20 − 8); anything bigger cannot arrive.</summary>
    public const int MaxDatagramBytes = 65_507;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly IDatagramSink? _sink;
    private long _datagrams;
    private long _bytes;
    private volatile bool _stopping;

    public DatagramReceiver(Socket socket, IDatagramSink? sink = null)
    {
        _socket = socket;
        _sink = sink;
        _thread = new Thread(Run) { IsBackground = true, Name = "realm-udp-receive" };
    }

    /// <summary>Datagrams received since start.</summary>
    public long DatagramsReceived => Interlocked.Read(ref _datagrams);

    /// <summary>Payload bytes received since start.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>True while the receive thread runs.</summary>
    public bool IsRunning => _thread.IsAlive;

    public void Start() => _thread.Start();

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
}

/// <summary>Takes each datagram from the receive thread; must copy what it keeps, and must not block.</summary>
internal interface IDatagramSink
{
    void OnDatagram(ReadOnlySpan<byte> datagram, SocketAddress from);
}
