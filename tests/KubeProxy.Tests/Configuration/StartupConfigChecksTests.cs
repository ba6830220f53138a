using System.Net;
using KubeProxy.Configuration;
using KubeProxy.Core.Model;

namespace KubeProxy.Tests.Configuration;

public class StartupConfigChecksTests
{
    private static ProxyOptions Options(string body)
    {
        var c = KubeProxyConfigurationLoader.Parse(
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body).Configuration;
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        return ProxyOptions.Create(c, hostName: () => "node");
    }

    [Fact]
    public void Unset_node_port_addresses_warns()
    {
        var warning = Assert.Single(StartupConfigChecks.CheckBadConfig(Options(""), IPFamily.IPv4));
        Assert.Contains("Consider using `--nodeport-addresses primary`", warning, StringComparison.Ordinal);
        Assert.Empty(StartupConfigChecks.CheckBadConfig(Options("mode: nftables\n"), IPFamily.IPv4));
    }

    [Fact]
    public void Node_port_addresses_of_the_wrong_family_warn()
    {
        Assert.Equal(
            ["cluster appears to be IPv4-primary but nodePortAddresses contains only IPv6 addresses; NodePort connections will be accepted on all local IPv4 IPs"],
            StartupConfigChecks.CheckBadConfig(Options("nodePortAddresses: [fd00::/64]\n"), IPFamily.IPv4));
        Assert.Equal(
            ["cluster appears to be dual-stack but nodePortAddresses contains only IPv4 addresses; NodePort connections will be accepted on all local IPv6 IPs"],
            StartupConfigChecks.CheckBadConfig(
                Options("nodePortAddresses: [198.18.0.0/24]\nclusterCIDR: 198.18.64.0/18,fd00:198:18::/56\n"), IPFamily.IPv4));
        Assert.Empty(StartupConfigChecks.CheckBadConfig(Options("nodePortAddresses: [198.18.0.0/24, fd00::/64]\n"), IPFamily.IPv4));
    }

    [Fact]
    public void Wrong_family_cluster_cidr_is_fatal_on_a_single_stack_node_in_cluster_cidr_mode()
    {
        var options = Options("clusterCIDR: fd00:198:18::/56\n");
        var (problems, fatal) = StartupConfigChecks.CheckBadIPConfig(options, IPFamily.IPv4, dualStackSupported: false);
        Assert.Equal(["cluster is IPv4-only but clusterCIDRs contains only IPv6 addresses"], problems);
        Assert.True(fatal);

        (problems, fatal) = StartupConfigChecks.CheckBadIPConfig(options, IPFamily.IPv4, dualStackSupported: true);
        Assert.Equal(["cluster is IPv4-primary but clusterCIDRs contains only IPv6 addresses"], problems);
        Assert.False(fatal);
    }

    [Fact]
    public void Wrong_family_pod_cidrs_are_fatal_in_node_cidr_mode()
    {
        var (problems, fatal) = StartupConfigChecks.CheckBadIPConfig(
            Options("detectLocalMode: NodeCIDR\n"), IPFamily.IPv6, dualStackSupported: true, [IPNetwork.Parse("198.18.64.0/24")]);
        Assert.Equal(["cluster is IPv6-primary but node.spec.podCIDRs contains only IPv4 addresses"], problems);
        Assert.True(fatal);
    }

    [Fact]
    public void Wrong_family_bind_addresses_warn_on_single_stack_nodes()
    {
        var (problems, fatal) = StartupConfigChecks.CheckBadIPConfig(
            Options("metricsBindAddress: \"[fd00::1]:10249\"\nhealthzBindAddress: \"[::]:10256\"\n"), IPFamily.IPv4, dualStackSupported: false);
        Assert.Equal(["cluster is IPv4-only but metricsBindAddress is IPv6"], problems);
        Assert.False(fatal);
    }
}
