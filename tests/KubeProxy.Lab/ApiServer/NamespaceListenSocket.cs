using System.Net;
using System.Net.Sockets;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.ApiServer;

/// <summary>
/// A TCP socket bound and listening on 127.0.0.1 of a lab namespace. A socket belongs to the namespace of the thread
/// that created it, so a server in this process (the fake API server) can accept on that namespace's loopback while
/// everything else about it stays in the root namespace; a process in the namespace reaches it at 127.0.0.1:PORT.
/// </summary>
public static class NamespaceListenSocket
{
    public static Task<Socket> CreateAsync(NetworkNamespace ns, int port = 0, int backlog = 512) =>
        ns.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                socket.Listen(backlog);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });
}
