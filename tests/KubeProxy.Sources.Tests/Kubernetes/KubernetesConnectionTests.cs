using k8s;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Resources;
using KubeProxy.Sources.Kubernetes;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class KubernetesConnectionTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kp-conn-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeApiServer _server = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _server = await FakeApiServer.StartAsync();
        _server.Upsert(ApiObjects.Service("default", "kubernetes", 0));
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string WriteKubeconfig(string server, string user)
    {
        var path = Path.Combine(_dir, "kubeconfig-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {server}
            contexts:
            - name: other
              context: {"{"}cluster: fake, user: nobody{"}"}
            - name: main
              context: {"{"}cluster: fake, user: main{"}"}
            current-context: main
            users:
            - name: nobody
              user: {"{"}token: wrong{"}"}
            - name: main
              user:
            {user}
            """);
        return path;
    }

    private static async Task<int> CountServicesAsync(IKubernetes client) =>
        (await client.CoreV1.ListServiceForAllNamespacesAsync()).Items.Count;

    [Fact]
    public void Without_kubeconfig_master_or_cluster_it_says_what_to_pass()
    {
        var ok = KubernetesConnection.TryCreate(null, null, 5, 10, out var client, out var error);

        if (KubernetesClientConfiguration.IsInCluster())
        {
            // Running inside a pod: the in-cluster configuration is the right answer.
            Assert.True(ok, error);
            client!.Dispose();
            return;
        }
        Assert.False(ok);
        Assert.Contains("--kubeconfig", error, StringComparison.Ordinal);
        Assert.Contains("--master", error, StringComparison.Ordinal);
        Assert.Contains("--manifests", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_kubeconfig_file_is_named_in_the_error()
    {
        var path = Path.Combine(_dir, "nope.conf");

        Assert.False(KubernetesConnection.TryCreate(path, null, 5, 10, out _, out var error));
        Assert.Contains(path, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kubeconfig_with_a_bearer_token_uses_its_current_context()
    {
        _server.BearerToken = "main-token";
        var path = WriteKubeconfig(_server.BaseUri.ToString(), "    token: main-token");

        Assert.True(KubernetesConnection.TryCreate(path, null, 5, 10, out var client, out var error), error);
        using (client)
        {
            Assert.Equal(1, await CountServicesAsync(client));
        }
        Assert.All(_server.Requests, r => Assert.True(r.Authorized));
    }

    [Fact]
    public async Task Master_overrides_the_kubeconfig_server()
    {
        var path = WriteKubeconfig("http://127.0.0.1:1", "    token: any");

        Assert.True(KubernetesConnection.TryCreate(path, _server.BaseUri.ToString(), 5, 10, out var client, out var error), error);
        using (client)
        {
            Assert.Equal(1, await CountServicesAsync(client));
        }
    }

    [Fact]
    public async Task Master_alone_connects_without_credentials()
    {
        Assert.True(KubernetesConnection.TryCreate(null, _server.BaseUri.ToString(), 5, 10, out var client, out var error), error);
        using (client)
        {
            Assert.Equal(1, await CountServicesAsync(client));
        }
    }

    [Fact]
    public async Task An_exec_credential_plugin_supplies_the_token()
    {
        _server.BearerToken = "from-exec";
        var plugin = Path.Combine(_dir, "credential-plugin.sh");
        File.WriteAllText(plugin, """
            #!/bin/sh
            echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"from-exec"}}'
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = WriteKubeconfig(_server.BaseUri.ToString(), $"""
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: {plugin}
                  interactiveMode: Never
            """);

        Assert.True(KubernetesConnection.TryCreate(path, null, 5, 10, out var client, out var error), error);
        using (client)
        {
            Assert.Equal(1, await CountServicesAsync(client));
        }
        Assert.Contains(_server.Requests, r => r.Authorized);
    }

    [Fact]
    public async Task Requests_beyond_the_burst_wait_for_the_token_bucket()
    {
        var time = new FakeTimeProvider();
        Assert.True(KubernetesConnection.TryCreate(null, _server.BaseUri.ToString(), 1, 2, time, out var client, out var error), error);
        using (client)
        {
            await CountServicesAsync(client);
            await CountServicesAsync(client);
            var third = CountServicesAsync(client);

            // Time stands still: the third request cannot get a token until a second passes.
            Assert.False(third.IsCompleted);
            Assert.Equal(2, _server.CountRequests(ResourceKind.Services, ApiVerb.List));

            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(1, await third);
            Assert.Equal(3, _server.CountRequests(ResourceKind.Services, ApiVerb.List));
        }
    }
}
