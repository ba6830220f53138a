using System.Net;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.Lab.ApiServer;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.ApiServer;

public sealed class ClusterApiListenerTests
{
    [RootFact]
    public async Task TheServerAnswersOnTheNamespaceLoopbackAndStillOnItsOwn()
    {
        using var run = LabRun.Create();
        await using var ns = await NetworkNamespace.CreateAsync(run.Prefix + "api");
        await using var api = await ClusterApi.StartAsync([ns], new FakeApiServerOptions { BearerToken = "lab-token" });
        api.Server.Upsert(new V1Service { Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" } });

        using var inside = NamespaceHttp.CreateClient(ns);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ClusterApi.NamespaceUri, "api/v1/services"));
        request.Headers.Authorization = new("Bearer", "lab-token");
        using var response = await inside.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"web\"", body, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", ClusterApi.NamespaceUri.Host);

        using var outside = new HttpClient();
        using var rootRequest = new HttpRequestMessage(HttpMethod.Get, new Uri(api.Server.BaseUri, "api/v1/services"));
        rootRequest.Headers.Authorization = new("Bearer", "lab-token");
        using var rootResponse = await outside.SendAsync(rootRequest);
        Assert.Equal(HttpStatusCode.OK, rootResponse.StatusCode);

        var kubeconfig = await File.ReadAllTextAsync(api.KubeconfigPath);
        Assert.Contains($"server: \"{ClusterApi.NamespaceUri.ToString().TrimEnd('/')}\"", kubeconfig, StringComparison.Ordinal);
        Assert.Contains("token: \"lab-token\"", kubeconfig, StringComparison.Ordinal);
    }
}
