using System.Net;
using System.Net.Sockets;

namespace Realm.Server.Net;

/// <summary>A bound UDP socket and what the kernel granted for it.</summary>
internal readonly record struct UdpBinding(Socket Socket, IPEndPoint LocalEndPoint, int ReceiveBufferBytes, int SendBufferBytes);
