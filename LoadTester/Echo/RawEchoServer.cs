using System.Net;
using System.Net.Sockets;

namespace Realm.LoadTester.Echo;

/// <summary>
/// The baseline every transport figure is compared with (TARGETS.md): a plain UDP socket that sends
/// each datagram straight back, on one thread, with span buffers and a reused <see cref="SocketAddress"/>.
/// </summary>
internal sealed class RawEchoServer : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _echoed;

    public RawEchoServer(IPAddress address)
    {
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 8 * 1024 * 1024,
            SendBufferSize = 8 * 1024 * 1024,
        };
        _socket.Bind(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(Run) { IsBackground = true, Name = "raw-echo-server" };
        _thread.Start();
    }

    public IPEndPoint EndPoint { get; }

    public long Echoed => Interlocked.Read(ref _echoed);

    public void Dispose()
    {
        _stopping = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void Run()
    {
        byte[] buffer = new byte[65_536];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_stopping)
        {
            try
            {
                int n = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                _socket.SendTo(buffer.AsSpan(0, n), SocketFlags.None, from);
                Interlocked.Increment(ref _echoed);
            }
            catch (SocketException) when (_stopping)
            {
                return;
            }
            catch (ObjectDisposedException) when (_stopping)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // A client went away; its ICMP error says nothing about the others.
            }
        }
    }
}
