using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace KubeProxy.ApiServer;

/// <summary>dup(2) of a socket's descriptor, so two owners can each close their own.</summary>
internal static partial class SocketDescriptor
{
    public static ulong Duplicate(Socket socket)
    {
        var fd = dup((int)socket.Handle);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"dup of listen socket {socket.LocalEndPoint} failed: errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }

        return (ulong)fd;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int dup(int fd);
}
