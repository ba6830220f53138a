using KubeProxy.Core.Model;
using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>Shorthands for the nftables packet-flow tests: a <see cref="ProxyLab"/> running kube-proxy in nftables mode.</summary>
internal static class NftablesLab
{
    public const string Mode = "nftables";

    public static Task<ProxyLab> StartAsync(ITestOutputHelper output, IEnumerable<string>? extraArgs = null, Func<NetworkLab, Task>? beforeStart = null) =>
        ProxyLab.StartAsync(Mode, new TestOutputLogger(output), extraArgs: extraArgs, beforeStart: beforeStart);

    public static System.Net.IPAddress ClusterIP(IPFamily family, int n) =>
        family == IPFamily.IPv6 ? LabAddresses.ClusterIPV6(n) : LabAddresses.ClusterIPV4(n);

    public static System.Net.IPAddress LoadBalancerIP(IPFamily family, int n) =>
        family == IPFamily.IPv6 ? LabAddresses.LoadBalancerIPV6(n) : LabAddresses.LoadBalancerIPV4(n);

    public static System.Net.IPAddress ExternalIP(IPFamily family, int n) =>
        family == IPFamily.IPv6 ? LabAddresses.ExternalIPV6(n) : LabAddresses.ExternalIPV4(n);

    /// <summary>The slice of <paramref name="service"/> for <paramref name="family"/> with the given endpoints.</summary>
    public static EndpointSliceManifest Slice(ServiceManifest service, IPFamily family, params EndpointManifest[] endpoints) =>
        EndpointSliceManifest.Of(service, family) with { Endpoints = endpoints };

    /// <summary>A ready endpoint for a lab pod.</summary>
    public static EndpointManifest Ep(ProxyLab lab, string pod, IPFamily family) => EndpointManifest.For(lab.Lab.Pod(pod), family);
}
