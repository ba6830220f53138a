using k8s;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.ApiServer;

/// <summary>
/// The Kubernetes API test server as a lab's cluster: one <see cref="FakeApiServer"/> in the test process that
/// also listens on 127.0.0.1:<see cref="Port"/> inside each given namespace (the nodes), with a kubeconfig file
/// every kube-proxy there can use. Lab manifests are stored as the API objects they describe.
/// </summary>
public sealed class ClusterApi : IAsyncDisposable
{
    /// <summary>The port the server listens on inside each namespace (kube-apiserver's usual one).</summary>
    public const int Port = 6443;

    private readonly string _directory;

    private ClusterApi(FakeApiServer server, string directory)
    {
        Server = server;
        _directory = directory;
        KubeconfigPath = Path.Combine(directory, "kubeconfig");
    }

    public FakeApiServer Server { get; }

    /// <summary>The server as a kube-proxy inside one of the namespaces sees it.</summary>
    public static Uri NamespaceUri { get; } = new($"http://127.0.0.1:{Port}");

    /// <summary>A kubeconfig pointing at http://127.0.0.1:6443, valid inside every namespace the server listens in.</summary>
    public string KubeconfigPath { get; }

    public static async Task<ClusterApi> StartAsync(IEnumerable<NetworkNamespace> namespaces, FakeApiServerOptions? options = null,
        string? bearerToken = null)
    {
        options ??= new FakeApiServerOptions();
        options.BearerToken ??= bearerToken;
        var handles = new List<ulong>();
        foreach (var ns in namespaces)
        {
            // 127.0.0.1 exists in a namespace only once its loopback is up (a lab has done it; a bare namespace has not).
            await ns.IpAsync("link", "set", "lo", "up");
            handles.Add(await NamespaceListener.CreateAsync(ns, Port));
        }

        foreach (var handle in handles)
        {
            options.ListenHandles.Add(handle);
        }

        // CreateTempSubdirectory makes it 0700: the kubeconfig holds the bearer token.
        var directory = Directory.CreateTempSubdirectory("kp-clusterapi-").FullName;
        try
        {
            var server = await FakeApiServer.StartAsync(options);
            var api = new ClusterApi(server, directory);
            Kubeconfig.Write(api.KubeconfigPath, NamespaceUri, options.BearerToken ?? "lab-token");
            return api;
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Stores the API objects a lab manifest describes (create or replace); returns the last resourceVersion.</summary>
    public long Apply(params IManifest[] manifests)
    {
        long version = 0;
        foreach (var obj in manifests.SelectMany(ToObjects))
        {
            version = Server.Upsert(obj);
        }

        return version;
    }

    /// <summary>Deletes the objects a lab manifest describes; missing ones are ignored.</summary>
    public void Delete(params IManifest[] manifests)
    {
        foreach (var obj in manifests.SelectMany(ToObjects))
        {
            Server.Delete(obj);
        }
    }

    /// <summary>The typed Kubernetes objects in a manifest's YAML.</summary>
    public static IEnumerable<IKubernetesObject<V1ObjectMeta>> ToObjects(IManifest manifest) =>
        KubernetesYaml.LoadAllFromString(manifest.ToYaml()).Select(o => o as IKubernetesObject<V1ObjectMeta>
            ?? throw new ArgumentException($"{manifest.FileName}: {o?.GetType().Name ?? "null"} is not a Kubernetes object"));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless; the server is what must stop.
        }
    }
}
