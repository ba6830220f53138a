using KubeProxy.Lab.Manifests;
using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Nftables;

/// <summary>Shorthands for the nftables packet-flow tests: a <see cref="ProxyLab"/> running kube-proxy in nftables mode.</summary>
internal static class NftablesLab
{
    public static Task<ProxyLab> StartAsync(ITestOutputHelper output, params IManifest[] initial) =>
        ProxyLab.StartAsync("nftables", new TestOutputLogger(output), initial: initial);

    public static Task<ProxyLab> StartAsync(ITestOutputHelper output, IEnumerable<string> extraArgs, params IManifest[] initial) =>
        ProxyLab.StartAsync("nftables", new TestOutputLogger(output), extraArgs: extraArgs, initial: initial);
}
