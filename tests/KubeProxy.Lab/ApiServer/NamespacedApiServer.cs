using System.Net;
using System.Net.Sockets;
using KubeProxy.ApiServer;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.ApiServer;

/// <summary>
/// The fake API server (in this process, root namespace, 127.0.0.1) also listening on 127.0.0.1 inside a lab
/// namespace, with a kubeconfig pointing there: a kube-proxy started in that namespace with <c>--kubeconfig</c>
/// programs the namespace's nftables and reads the API over its own loopback. Nothing links the namespace to the
/// root namespace; only a socket crosses, made by a thread that entered the namespace.
/// </summary>
public sealed class NamespacedApiServer : IAsyncDisposable
{
    private readonly Socket _listenSocket;
    private readonly string _directory;

    private NamespacedApiServer(FakeApiServer server, Socket listenSocket, string directory, Uri namespaceUri, string kubeconfigPath)
    {
        Server = server;
        _listenSocket = listenSocket;
        _directory = directory;
        NamespaceUri = namespaceUri;
        KubeconfigPath = kubeconfigPath;
    }

    public FakeApiServer Server { get; }

    /// <summary>The server as seen from inside the namespace: http://127.0.0.1:PORT.</summary>
    public Uri NamespaceUri { get; }

    /// <summary>A kubeconfig for <c>--kubeconfig</c>, pointing at <see cref="NamespaceUri"/> (with the bearer token if set).</summary>
    public string KubeconfigPath { get; }

    /// <summary>Starts the server with an extra listener on 127.0.0.1:<paramref name="port"/> (0: any free port) in <paramref name="ns"/>.</summary>
    public static async Task<NamespacedApiServer> StartAsync(NetworkNamespace ns, FakeApiServerOptions? options = null, int port = 0)
    {
        options ??= new FakeApiServerOptions();
        // 127.0.0.1 exists in a new namespace only once loopback is up.
        await ns.IpAsync("link", "set", "lo", "up");
        var socket = await NamespaceListenSocket.CreateAsync(ns, port);
        // CreateTempSubdirectory makes it 0700: the kubeconfig may hold the bearer token.
        var directory = Directory.CreateTempSubdirectory("kpl-apiserver-").FullName;
        try
        {
            options.ExtraListenSockets.Add(socket);
            var server = await FakeApiServer.StartAsync(options);
            var endPoint = (IPEndPoint)socket.LocalEndPoint!;
            var uri = new Uri($"http://127.0.0.1:{endPoint.Port}");
            var kubeconfig = Path.Combine(directory, "kubeconfig");
            KubeconfigFile.Write(kubeconfig, uri, options.BearerToken);
            return new NamespacedApiServer(server, socket, directory, uri, kubeconfig);
        }
        catch
        {
            socket.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Server.DisposeAsync();
        }
        finally
        {
            _listenSocket.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
