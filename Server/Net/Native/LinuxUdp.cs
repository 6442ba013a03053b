using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Realm.Server.Net.Native;

/// <summary>
/// Linux batch datagram calls: <c>recvmmsg(2)</c> and <c>sendmmsg(2)</c> move many datagrams per system
/// call, where <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, System.Net.SocketAddress)"/> and
/// <c>SendTo</c> cost one call each. On a loopback echo the system calls are most of the cost, so this is
/// where the transport earns its margin over one-call-per-datagram code (see docs/BENCHMARKS.md).
/// Struct layouts are those of the LP64 Linux ABI (x64 and arm64), checked by a unit test.
/// </summary>
internal static unsafe partial class LinuxUdp
{
    /// <summary><c>MSG_TRUNC</c>: in <c>msg_flags</c>, the datagram was larger than the buffer.</summary>
    public const int MsgTrunc = 0x20;

    /// <summary><c>MSG_DONTWAIT</c>: return <c>EAGAIN</c> instead of blocking.</summary>
    public const int MsgDontWait = 0x40;

    /// <summary><c>MSG_WAITFORONE</c>: block for the first datagram only, then take what is queued.</summary>
    public const int MsgWaitForOne = 0x10000;

    public const int EIntr = 4;
    public const int EAgain = 11;

    /// <summary>True where the batch calls and these layouts apply: 64-bit Linux.</summary>
    public static bool IsSupported { get; } = OperatingSystem.IsLinux() && IntPtr.Size == 8
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>
    /// Receives up to <paramref name="count"/> datagrams on <paramref name="descriptor"/>; returns how many, or
    /// -1 with <paramref name="errno"/>. The caller keeps the descriptor's handle referenced
    /// (<see cref="SafeHandle.DangerousAddRef"/>) while it uses it, so that it cannot be closed and reused under the call.
    /// </summary>
    public static int Receive(int descriptor, MMsgHdr* headers, int count, int flags, out int errno)
    {
        int n = RecvMMsg(descriptor, headers, (uint)count, flags, null);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return n;
    }

    /// <summary>Sends up to <paramref name="count"/> datagrams; returns how many left, or -1 with <paramref name="errno"/> for the first. The descriptor is kept referenced, as for <see cref="Receive"/>.</summary>
    public static int Send(int descriptor, MMsgHdr* headers, int count, out int errno)
    {
        int n = SendMMsg(descriptor, headers, (uint)count, 0);
        errno = n < 0 ? Marshal.GetLastPInvokeError() : 0;
        return n;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int RecvMMsg(int fd, MMsgHdr* headers, uint count, int flags, void* timeout);

    [LibraryImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int SendMMsg(int fd, MMsgHdr* headers, uint count, int flags);

    /// <summary><c>struct iovec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary>
    /// <c>struct mmsghdr</c>: a <c>struct msghdr</c> (56 bytes with its tail padding) and the byte count
    /// the kernel fills in, at offset 56; 64 bytes in all.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct MMsgHdr
    {
        [FieldOffset(0)]
        public byte* Name;

        [FieldOffset(8)]
        public uint NameLength;

        [FieldOffset(16)]
        public IoVec* Iov;

        [FieldOffset(24)]
        public nuint IovLength;

        [FieldOffset(32)]
        public void* Control;

        [FieldOffset(40)]
        public nuint ControlLength;

        [FieldOffset(48)]
        public int Flags;

        [FieldOffset(56)]
        public uint Length;
    }
}
