using KubeProxy.Lab.Proxy;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Proxy;

/// <summary>
/// Plumbing of the real kube-proxy process. Packet-flow tests against a running kube-proxy live in
/// Nftables/ once the executable can sync rules.
/// </summary>
public sealed class KubeProxyProcessTests(ITestOutputHelper output)
{
    [Fact]
    public void TheExecutableSitsNextToTheLab() => Assert.True(File.Exists(KubeProxyProcess.DllPath));

    [RootFact]
    public async Task StartsInTheNodeNamespaceAndIsStoppedWithTheLab()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var kubeProxy = lab.StartKubeProxy(lab.Node("node-1"), ["--version"]);

        var exitCode = await kubeProxy.Process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        output.WriteLine(kubeProxy.Output);
        Assert.Equal(0, exitCode);
        Assert.StartsWith("ip netns exec " + lab.Node("node-1").Namespace.Name, kubeProxy.Process.CommandLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--metrics-bind-address", "127.0.0.1:1" }, "127.0.0.1:1")]
    [InlineData(new[] { "--metrics-bind-address=0.0.0.0:2" }, "0.0.0.0:2")]
    [InlineData(new[] { "--metrics-bind-address=a", "--metrics-bind-address=b" }, "b")]
    [InlineData(new[] { "--healthz-bind-address", "x" }, null)]
    public void FlagValuesAreFoundInBothForms(string[] args, string? expected) =>
        Assert.Equal(expected, KubeProxyProcess.FlagValue(args, "--metrics-bind-address"));

    [Fact]
    public void WildcardBindAddressesAreReachedOnLoopback()
    {
        // No namespace needed to build the URIs; a never-used namespace object is enough.
        using var metrics = new KubeProxyMetrics(new KubeProxy.Lab.Namespaces.NetworkNamespace("kpl-unused"), "0.0.0.0:10249", "[::]:10256");

        Assert.Equal(new Uri("http://127.0.0.1:10249/"), metrics.MetricsBase);
        Assert.Equal(new Uri("http://[::1]:10256/"), metrics.HealthzBase);
    }
}
