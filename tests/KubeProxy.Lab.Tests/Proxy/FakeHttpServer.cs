using System.Net;
using System.Net.Sockets;
using System.Text;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Tests.Proxy;

/// <summary>
/// A minimal HTTP/1.1 server listening inside a namespace, answering every request with the current body:
/// stands in for kube-proxy's metrics server until the real one exists.
/// </summary>
internal sealed class FakeHttpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private FakeHttpServer(Socket listener)
    {
        _listener = listener;
        _loop = Task.Run(ServeAsync);
    }

    public volatile string Body = "";

    public int Requests;

    public static async Task<FakeHttpServer> StartAsync(NetworkNamespace ns, IPEndPoint endPoint)
    {
        var listener = await ns.RunAsync(() =>
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(endPoint);
            socket.Listen();
            return socket;
        });
        return new FakeHttpServer(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop;
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (connection)
            {
                var request = new StringBuilder();
                var buffer = new byte[4096];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var n = await connection.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                Interlocked.Increment(ref Requests);
                var body = Encoding.UTF8.GetBytes(Body);
                var head = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                await connection.SendAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray(), SocketFlags.None);
                connection.Shutdown(SocketShutdown.Both);
            }
        }
    }
}
