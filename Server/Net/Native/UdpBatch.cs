using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Realm.Server.Net.Native;

/// <summary>
/// A fixed set of datagram slots in native memory, laid out for <see cref="LinuxUdp"/>: per slot a
/// <c>mmsghdr</c>, an <c>iovec</c>, a <c>sockaddr_storage</c> and a buffer. Used to receive (the kernel
/// fills slots; <see cref="Length"/>, <see cref="IsTruncated"/>, <see cref="ReadAddress"/>) or to send
/// (<see cref="TryAdd"/> then <see cref="Send(SafeHandle)"/>). Allocated once; nothing is allocated per datagram.
/// Used by one thread at a time.
/// </summary>
internal sealed unsafe class UdpBatch : IDisposable
{
    private const int AddressBytes = 128; // sizeof(struct sockaddr_storage)

    private readonly LinuxUdp.MMsgHdr* _headers;
    private readonly LinuxUdp.IoVec* _iovs;
    private readonly byte* _addresses;
    private readonly byte* _buffers;
    private int _sendStart;
    private int _touched;
    private bool _freed;

    public UdpBatch(int capacity, int slotBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slotBytes, 1);
        Capacity = capacity;
        SlotBytes = slotBytes;
        _headers = (LinuxUdp.MMsgHdr*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(LinuxUdp.MMsgHdr));
        _iovs = (LinuxUdp.IoVec*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(LinuxUdp.IoVec));
        _addresses = (byte*)NativeMemory.AllocZeroed((nuint)capacity, AddressBytes);
        _buffers = (byte*)NativeMemory.Alloc((nuint)capacity, (nuint)slotBytes);
        for (int i = 0; i < capacity; i++)
        {
            _iovs[i].Base = _buffers + ((long)i * slotBytes);
            _headers[i].Iov = _iovs + i;
            _headers[i].IovLength = 1;
            _headers[i].Name = _addresses + ((long)i * AddressBytes);
        }

        _touched = capacity;
    }

    ~UdpBatch() => Free();

    public int Capacity { get; }

    public int SlotBytes { get; }

    /// <summary>Slots filled: datagrams received, or datagrams added and not yet sent.</summary>
    public int Count { get; private set; }

    /// <summary>Received datagram <paramref name="i"/>'s bytes (truncated to the slot when it was larger).</summary>
    public ReadOnlySpan<byte> Data(int i) => new(_iovs[i].Base, (int)Math.Min(_headers[i].Length, (uint)SlotBytes));

    /// <summary>Received datagram <paramref name="i"/>'s length as reported by the kernel.</summary>
    public int Length(int i) => (int)_headers[i].Length;

    /// <summary>True when datagram <paramref name="i"/> did not fit its slot (<c>MSG_TRUNC</c>).</summary>
    public bool IsTruncated(int i) => (_headers[i].Flags & LinuxUdp.MsgTrunc) != 0;

    /// <summary>Received datagram <paramref name="i"/>'s source, the raw <c>sockaddr</c> the kernel wrote, read in place (valid until the next receive).</summary>
    public ReadOnlySpan<byte> Source(int i) => new(_headers[i].Name, (int)Math.Min(_headers[i].NameLength, (uint)AddressBytes));

    /// <summary>Copies datagram <paramref name="i"/>'s source address into <paramref name="address"/> (same family).</summary>
    public void ReadAddress(int i, SocketAddress address)
    {
        ReadOnlySpan<byte> source = Source(i);
        int length = Math.Min(source.Length, address.Buffer.Length);
        source[..length].CopyTo(address.Buffer.Span);
        address.Size = length;
    }

    /// <summary>
    /// Receives what is queued on <paramref name="socket"/>, up to <see cref="Capacity"/> datagrams.
    /// With <paramref name="block"/> it waits for the first one (<c>MSG_WAITFORONE</c>), otherwise it
    /// returns at once. Returns the count (also in <see cref="Count"/>), 0 when nothing was there, or -1
    /// for another error, with the errno in <paramref name="errno"/>.
    /// </summary>
    public int Receive(Socket socket, bool block, out int errno) => Receive(socket.SafeHandle, block, out errno);

    /// <inheritdoc cref="Receive(Socket, bool, out int)"/>
    /// <param name="socket">The socket's handle, referenced for the call.</param>
    /// <param name="block">Wait for the first datagram.</param>
    /// <param name="errno">The error of a failed call.</param>
    public int Receive(SafeHandle socket, bool block, out int errno)
    {
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            return Receive((int)socket.DangerousGetHandle(), block, out errno);
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc cref="Receive(Socket, bool, out int)"/>
    /// <param name="descriptor">A socket descriptor whose handle the caller keeps referenced for as long as it uses it
    /// (<see cref="SafeHandle.DangerousAddRef"/>): no reference counting per call, whose interlocked updates of the
    /// handle missed the cache on every call of a host polled among hundreds.</param>
    /// <param name="block">Wait for the first datagram.</param>
    /// <param name="errno">The error of a failed call.</param>
    public int Receive(int descriptor, bool block, out int errno)
    {
        // Only slots the kernel or TryAdd wrote since the last reset need resetting (the kernel writes
        // msg_namelen, msg_flags and msg_len of the slots it fills, never the iovecs): a batch polled
        // often with little traffic touches one slot's memory, not all of them.
        for (int i = 0; i < _touched; i++)
        {
            _headers[i].NameLength = AddressBytes;
            _headers[i].Flags = 0;
            _iovs[i].Length = (nuint)SlotBytes;
        }

        _touched = 0;

        int n = LinuxUdp.Receive(descriptor, _headers, Capacity, block ? LinuxUdp.MsgWaitForOne : LinuxUdp.MsgDontWait, out errno);
        if (n < 0 && errno is LinuxUdp.EAgain or LinuxUdp.EIntr)
        {
            n = 0;
        }

        Count = Math.Max(n, 0);
        _touched = Count;
        return n;
    }

    /// <summary>Queues a datagram to <paramref name="to"/>; false when the batch is full (send it first).</summary>
    /// <param name="datagram">The bytes.</param>
    /// <param name="to">The destination.</param>
    /// <param name="withAddress">False on a connected socket: the header carries no address (msg_namelen 0), so
    /// the kernel uses the connected destination and its cached route.</param>
    public bool TryAdd(ReadOnlySpan<byte> datagram, SocketAddress to, bool withAddress = true)
    {
        if (Count == Capacity || datagram.Length > SlotBytes || to.Size > AddressBytes)
        {
            return false;
        }

        int i = Count++;
        _touched = Math.Max(_touched, Count);
        datagram.CopyTo(new Span<byte>(_iovs[i].Base, SlotBytes));
        _iovs[i].Length = (nuint)datagram.Length;
        if (withAddress)
        {
            to.Buffer.Span[..to.Size].CopyTo(new Span<byte>(_headers[i].Name, AddressBytes));
            _headers[i].NameLength = (uint)to.Size;
        }
        else
        {
            _headers[i].NameLength = 0;
        }

        _headers[i].Flags = 0;
        return true;
    }

    /// <summary>
    /// Sends every queued datagram and empties the batch. A datagram the kernel refuses (for example
    /// <c>ENOBUFS</c> under a burst) is skipped and counted in the return value; UDP may drop, and the
    /// transport's reliability resends what matters.
    /// </summary>
    /// <returns>The number of datagrams that could not be sent.</returns>
    public int Send(Socket socket) => Send(socket.SafeHandle);

    /// <inheritdoc cref="Send(Socket)"/>
    /// <param name="socket">The socket's handle, referenced for the call.</param>
    public int Send(SafeHandle socket)
    {
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            return Send((int)socket.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }
    }

    /// <inheritdoc cref="Send(Socket)"/>
    /// <param name="descriptor">A socket descriptor whose handle the caller keeps referenced, as for <see cref="Receive(int, bool, out int)"/>.</param>
    public int Send(int descriptor)
    {
        int failed = 0;
        _sendStart = 0;
        while (_sendStart < Count)
        {
            int n = LinuxUdp.Send(descriptor, _headers + _sendStart, Count - _sendStart, out int errno);
            if (n > 0)
            {
                _sendStart += n;
            }
            else if (errno != LinuxUdp.EIntr)
            {
                _sendStart++;
                failed++;
            }
        }

        Count = 0;
        return failed;
    }

    /// <summary>Forgets received datagrams (the next <see cref="Receive(SafeHandle, bool, out int)"/> overwrites them anyway).</summary>
    public void Clear() => Count = 0;

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        if (_freed)
        {
            return;
        }

        _freed = true;
        NativeMemory.Free(_headers);
        NativeMemory.Free(_iovs);
        NativeMemory.Free(_addresses);
        NativeMemory.Free(_buffers);
    }
}
