using k8s.Models;
using KubeProxy.Lab.Cluster;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Probes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.E2E;

/// <summary>
/// Objects kube-proxy must leave alone (upstream service.go "should implement service.kubernetes.io/service-proxy-name"
/// and "... headless"): its watches select only objects without those labels.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class IgnoredServicesTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly ServicePortManifest Http = new("http", 80, TargetPort: 8080);

    [RootTheory]
    [MemberData(nameof(ProxyModes.All), MemberType = typeof(ProxyModes))]
    public Task ServiceProxyNameAndHeadlessLabelsAreIgnored(string mode) => fixture.RunAsync(mode, output, async t =>
    {
        // Another proxy's Service; the EndpointSlice controller copies the Service's labels onto its slices.
        var proxyName = new Dictionary<string, string> { ["service.kubernetes.io/service-proxy-name"] = "other" };
        var otherProxy = t.NewService("other-proxy", Http) with { Labels = proxyName };
        // A Service labelled headless (with a slice labelled the same).
        var headless = new Dictionary<string, string> { ["service.kubernetes.io/headless"] = "" };
        var headlessLabelled = t.NewService("headless-label", Http) with { Labels = headless };
        // An ordinary Service whose only slice carries the headless label: kube-proxy sees a Service without endpoints.
        var sliceIgnored = t.NewService("slice-ignored", Http);

        t.ApplyIgnored([.. ToObjects(otherProxy), .. SlicesOf(otherProxy, proxyName, t.Pod("web-3"))]);
        t.ApplyIgnored([.. ToObjects(headlessLabelled), .. SlicesOf(headlessLabelled, headless, t.Pod("web-3"))]);
        t.ApplyIgnored([.. SlicesOf(sliceIgnored, headless, t.Pod("web-3"))]);
        // Written after the ignored objects, on the same watches: once kube-proxy has these, it has seen (or
        // filtered) everything before them.
        await t.ApplyAsync(sliceIgnored);
        var control = t.NewService("control", Http);
        await t.CreateServiceAsync(control, t.Pod("web-3"));

        var from = t.Pod("web-2");
        var controlAnswer = await from.ProbeAsync(control.ClusterIPs[0], 80);
        Assert.True(controlAnswer.EndpointName == "web-3", $"control Service: {controlAnswer}");
        foreach (var svc in new[] { otherProxy, headlessLabelled })
        {
            var result = await from.ProbeAsync(svc.ClusterIPs[0], 80, timeout: TimeSpan.FromSeconds(1));
            Assert.True(result.Outcome != ProbeOutcome.Answered, $"{svc.Name} must have no rules: {result}");
        }

        var noEndpoints = await from.ProbeAsync(sliceIgnored.ClusterIPs[0], 80);
        Assert.True(noEndpoints.Outcome == ProbeOutcome.Rejected, $"{sliceIgnored.Name} has only an ignored slice, so no endpoints: {noEndpoints}");
    });

    private static IEnumerable<k8s.IKubernetesObject<V1ObjectMeta>> ToObjects(IManifest manifest) => Lab.ApiServer.ClusterApi.ToObjects(manifest);

    /// <summary>The controller's slices of <paramref name="svc"/>, carrying <paramref name="labels"/> too.</summary>
    private static IEnumerable<k8s.IKubernetesObject<V1ObjectMeta>> SlicesOf(ServiceManifest svc, IReadOnlyDictionary<string, string> labels, params PodEndpoint[] pods)
    {
        foreach (var obj in EndpointSliceController.SlicesFor(svc, pods).SelectMany(ToObjects))
        {
            obj.Metadata.Labels ??= new Dictionary<string, string>();
            foreach (var (key, value) in labels)
            {
                obj.Metadata.Labels[key] = value;
            }

            yield return obj;
        }
    }
}
