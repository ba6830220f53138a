using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// A bound AF_NETLINK socket. Blocking calls with a receive timeout: callers run on the sync loop's thread and
/// a dump is a tight recv/parse loop where async would only add allocations.
/// </summary>
public sealed class NetlinkSocket : INetlinkTransport
{
    private readonly SafeNetlinkHandle _handle;

    private NetlinkSocket(SafeNetlinkHandle handle, uint portId)
    {
        _handle = handle;
        PortId = portId;
    }

    public uint PortId { get; }

    public static NetlinkSocket Open(NetlinkProtocol protocol, NetlinkSocketOptions? options = null)
    {
        options ??= NetlinkSocketOptions.Default;
        return options.NetworkNamespacePath is { } path
            ? NetworkNamespace.Run(path, () => Create(protocol, options))
            : Create(protocol, options);
    }

    public unsafe void Send(ReadOnlySpan<byte> datagram)
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)_handle.DangerousGetHandle();
            fixed (byte* p = datagram)
            {
                while (true)
                {
                    var n = NetlinkNative.Send(fd, p, datagram.Length, 0);
                    if (n == datagram.Length) return;
                    if (n >= 0) throw new NetlinkException($"netlink send: {n} of {datagram.Length} bytes sent");
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Errno.EINTR) throw new NetlinkException("netlink send", errno);
                }
            }
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    public unsafe int Receive(Span<byte> buffer)
    {
        var added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)_handle.DangerousGetHandle();
            fixed (byte* p = buffer)
            {
                while (true)
                {
                    // MSG_TRUNC makes recv report the real datagram size, so a too-small buffer is detected, not misparsed.
                    var n = NetlinkNative.Recv(fd, p, buffer.Length, NetlinkNative.MsgTrunc);
                    if (n > buffer.Length) throw new InvalidDataException($"netlink datagram of {n} bytes truncated to {buffer.Length}");
                    if (n >= 0) return (int)n;
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) continue;
                    throw errno == Errno.EAGAIN
                        ? new NetlinkException("netlink receive timed out", errno)
                        : new NetlinkException("netlink receive", errno);
                }
            }
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    public void Dispose() => _handle.Dispose();

    private static unsafe NetlinkSocket Create(NetlinkProtocol protocol, NetlinkSocketOptions options)
    {
        var fd = NetlinkNative.Socket(NetlinkNative.AfNetlink, NetlinkNative.SockRaw | NetlinkNative.SockCloexec, (int)protocol);
        if (fd < 0) throw new NetlinkException($"socket(AF_NETLINK, {protocol})", Marshal.GetLastPInvokeError());
        var handle = new SafeNetlinkHandle(fd);
        try
        {
            SetBuffer(fd, NetlinkNative.SoRcvbufforce, NetlinkNative.SoRcvbuf, options.ReceiveBufferBytes);
            SetBuffer(fd, NetlinkNative.SoSndbufforce, NetlinkNative.SoSndbuf, options.SendBufferBytes);

            // Errors then carry only the failed request's header, not its whole body: smaller replies, fewer drops.
            SetInt(fd, NetlinkNative.SolNetlink, NetlinkNative.NetlinkCapAck, 1, required: false);
            // Ask for the kernel's error text where a subsystem provides one.
            SetInt(fd, NetlinkNative.SolNetlink, NetlinkNative.NetlinkExtAck, 1, required: false);

            var timeout = new NetlinkNative.Timeval
            {
                Seconds = (long)options.ReceiveTimeout.TotalSeconds,
                Microseconds = options.ReceiveTimeout.Milliseconds * 1000L,
            };
            if (NetlinkNative.SetSockOpt(fd, NetlinkNative.SolSocket, NetlinkNative.SoRcvtimeo, &timeout, sizeof(NetlinkNative.Timeval)) != 0)
                throw new NetlinkException("setsockopt(SO_RCVTIMEO)", Marshal.GetLastPInvokeError());

            var address = new NetlinkNative.SockaddrNl { Family = NetlinkNative.AfNetlink };
            if (NetlinkNative.Bind(fd, &address, sizeof(NetlinkNative.SockaddrNl)) != 0)
                throw new NetlinkException("bind(AF_NETLINK)", Marshal.GetLastPInvokeError());
            var length = sizeof(NetlinkNative.SockaddrNl);
            if (NetlinkNative.GetSockName(fd, &address, &length) != 0)
                throw new NetlinkException("getsockname(AF_NETLINK)", Marshal.GetLastPInvokeError());
            return new NetlinkSocket(handle, address.PortId);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static void SetBuffer(int fd, int forceOption, int option, int bytes)
    {
        if (bytes <= 0) return;
        // The FORCE variant needs CAP_NET_ADMIN; without it fall back to the rmem_max/wmem_max-capped one.
        if (!SetInt(fd, NetlinkNative.SolSocket, forceOption, bytes, required: false))
            SetInt(fd, NetlinkNative.SolSocket, option, bytes, required: false);
    }

    private static unsafe bool SetInt(int fd, int level, int option, int value, bool required)
    {
        if (NetlinkNative.SetSockOpt(fd, level, option, &value, sizeof(int)) == 0) return true;
        if (required) throw new NetlinkException($"setsockopt({level}, {option})", Marshal.GetLastPInvokeError());
        return false;
    }

    private sealed class SafeNetlinkHandle : SafeHandle
    {
        public SafeNetlinkHandle(int fd)
            : base(-1, ownsHandle: true)
        {
            SetHandle(fd);
        }

        public override bool IsInvalid => handle == -1;

        protected override bool ReleaseHandle() => NetlinkNative.Close((int)handle) == 0;
    }
}
