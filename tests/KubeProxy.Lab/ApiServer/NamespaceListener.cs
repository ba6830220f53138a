using System.Net;
using System.Net.Sockets;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.ApiServer;

/// <summary>
/// A listening TCP socket on 127.0.0.1 inside a lab namespace, handed to the API test server as a raw descriptor.
/// Each namespace has its own loopback, so a kube-proxy started there reaches the one server in the test
/// process at 127.0.0.1:PORT without any link to the root namespace.
/// </summary>
public static class NamespaceListener
{
    /// <summary>Binds and listens in <paramref name="ns"/>; returns a descriptor the caller must hand to Kestrel (which then owns it).</summary>
    public static Task<ulong> CreateAsync(NetworkNamespace ns, int port) =>
        ns.RunAsync(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen(128);
            // A duplicate, because disposing (or finalising) the managed Socket closes its own descriptor while
            // Kestrel keeps and later closes this one.
            var fd = LibC.dup((int)socket.Handle);
            return fd < 0
                ? throw new IOException($"dup of a listening socket in {ns.Name} failed: {LibC.LastError()}")
                : (ulong)fd;
        });
}
