using System.Net;
using System.Net.Sockets;

namespace KubeProxy.Lab.Namespaces;

/// <summary>
/// HttpClients whose connections are opened inside a namespace, e.g. to read kube-proxy's /metrics and
/// /healthz on 127.0.0.1 of the node namespace. Hosts must be IP literals (or "localhost").
/// </summary>
public static class NamespaceHttp
{
    public static HttpClient CreateClient(NetworkNamespace ns, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            // Short-lived connections: a test may restart the server between requests.
            PooledConnectionLifetime = TimeSpan.FromSeconds(1),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var address = ParseHost(context.DnsEndPoint.Host);
                var socket = await ns.RunAsync(() => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true });
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
    }

    private static IPAddress ParseHost(string host) =>
        host == "localhost" ? IPAddress.Loopback
        : IPAddress.TryParse(host.Trim('[', ']'), out var address) ? address
        : throw new HttpRequestException($"'{host}': only IP literals can be reached inside a lab namespace (no DNS there)");
}
