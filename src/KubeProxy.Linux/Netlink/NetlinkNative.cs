using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// The few libc calls a netlink socket needs. Raw file descriptors rather than System.Net.Sockets.Socket because
/// .NET has no sockaddr_nl endpoint, netlink wants SOL_NETLINK options (CAP_ACK, EXT_ACK) and a socket opened inside
/// another network namespace starts life as a bare descriptor anyway.
/// </summary>
internal static partial class NetlinkNative
{
    public const int AfNetlink = 16;
    public const int SockRaw = 3;
    public const int SockCloexec = 0x80000;

    public const int SolSocket = 1;
    public const int SoSndbuf = 7;
    public const int SoRcvbuf = 8;
    public const int SoRcvtimeo = 20;
    public const int SoSndbufforce = 32;
    public const int SoRcvbufforce = 33;

    public const int SolNetlink = 270;
    public const int NetlinkCapAck = 10;
    public const int NetlinkExtAck = 11;

    public const int MsgTrunc = 0x20;
    public const int MsgDontwait = 0x40;

    public const int CloneNewnet = 0x40000000;

    [StructLayout(LayoutKind.Sequential)]
    public struct SockaddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static unsafe partial int Bind(int fd, SockaddrNl* address, int length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static unsafe partial int GetSockName(int fd, SockaddrNl* address, int* length);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);
}
