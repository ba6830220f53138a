using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace EchoServer;

/// <summary>
/// Creates the sockets echo servers and probes use. The network namespace of a socket is fixed when it is
/// created, so the lab calls these on a thread that has entered the namespace; the socket can then be used
/// from any thread.
/// </summary>
public static partial class EchoSockets
{
    private const int AF_INET = 2;
    private const int AF_INET6 = 10;
    private const int SOCK_STREAM = 1;
    private const int IPPROTO_SCTP = 132;

    /// <summary>A socket of the given transport and family, not yet bound or connected.</summary>
    public static Socket Create(EchoTransport transport, AddressFamily family) => transport switch
    {
        EchoTransport.Tcp => new Socket(family, SocketType.Stream, ProtocolType.Tcp),
        EchoTransport.Udp => new Socket(family, SocketType.Dgram, ProtocolType.Udp),
        EchoTransport.Sctp => CreateSctp(family),
        _ => throw new ArgumentOutOfRangeException(nameof(transport)),
    };

    /// <summary>
    /// A socket bound to all addresses of both families (<c>[::]:port</c>, dual mode), listening when the
    /// transport is connection-oriented.
    /// </summary>
    public static Socket Listen(ListenSpec spec, int backlog = 128)
    {
        var socket = Create(spec.Transport, AddressFamily.InterNetworkV6);
        try
        {
            socket.DualMode = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Any, spec.Port));
            if (spec.Transport != EchoTransport.Udp)
            {
                socket.Listen(backlog);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether this kernel (in the calling thread's network namespace) accepts SCTP sockets.</summary>
    public static bool IsSctpSupported()
    {
        try
        {
            CreateSctp(AddressFamily.InterNetwork).Dispose();
            return true;
        }
        catch (SctpUnsupportedException)
        {
            return false;
        }
    }

    private static Socket CreateSctp(AddressFamily family)
    {
        // Straight to socket(2): the errno tells "kernel refuses SCTP" apart from anything .NET might decide.
        var fd = socket(family == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_SCTP);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new SctpUnsupportedException(
                $"SCTP unsupported: the kernel refuses SCTP sockets (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)})");
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);
}
