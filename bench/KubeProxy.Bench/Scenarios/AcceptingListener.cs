using System.Net;
using System.Net.Sockets;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Bench.Scenarios;

/// <summary>
/// A TCP listener inside a namespace with a deep accept queue and a dedicated thread that accepts and drops
/// connections. The lab's echo server listens with a backlog of 128 and accepts on the thread pool; on a loaded
/// machine its queue fills during a burst of connects and the kernel drops SYNs, which would show up as one-second
/// retransmits in the connect times instead of the path being measured.
/// </summary>
internal sealed class AcceptingListener : IDisposable
{
    private readonly Socket _socket;
    private readonly Thread _thread;

    private AcceptingListener(Socket socket)
    {
        _socket = socket;
        _thread = new Thread(AcceptLoop) { IsBackground = true, Name = "first-packet accept" };
        _thread.Start();
    }

    public static async Task<AcceptingListener> StartAsync(NetworkNamespace ns, int port) =>
        new(await ns.RunAsync(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Any, port));
            // Capped by the namespace's net.core.somaxconn (4096 by default), more than one size's connects.
            socket.Listen(4096);
            return socket;
        }));

    public void Dispose()
    {
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                using var connection = _socket.Accept();
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Disposed: done.
        }
    }
}
