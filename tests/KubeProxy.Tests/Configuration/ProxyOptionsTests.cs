using System.Net;
using KubeProxy.Configuration;
using KubeProxy.Core.Model;

namespace KubeProxy.Tests.Configuration;

public class ProxyOptionsTests
{
    private static ProxyOptions Options(string body, Func<string>? hostName = null)
    {
        var c = KubeProxyConfigurationLoader.Parse(
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n" + body).Configuration;
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        return ProxyOptions.Create(c, hostName: hostName ?? (() => "Node-1"));
    }

    private const string Sections = """
        iptables: {syncPeriod: 11s, minSyncPeriod: 1100ms, masqueradeAll: true, masqueradeBit: 11}
        ipvs: {syncPeriod: 22s, minSyncPeriod: 2200ms}
        nftables: {syncPeriod: 33s, minSyncPeriod: 3300ms, masqueradeAll: false, masqueradeBit: 3}
        """;

    [Theory]
    [InlineData("", ProxyMode.IPTables, 11, 1100, true, 11)]
    [InlineData("iptables", ProxyMode.IPTables, 11, 1100, true, 11)]
    [InlineData("ipvs", ProxyMode.IPVS, 22, 2200, true, 11)]
    [InlineData("nftables", ProxyMode.NFTables, 33, 3300, false, 3)]
    [InlineData("userspace", ProxyMode.Userspace, 11, 1100, true, 11)]
    public void Per_mode_values_come_from_the_active_section(
        string mode, ProxyMode expectedMode, int sync, int minSyncMs, bool masqueradeAll, int bit)
    {
        var o = Options(Sections + "\nmode: \"" + mode + "\"\n");
        Assert.Equal(expectedMode, o.Mode);
        Assert.Equal(TimeSpan.FromSeconds(sync), o.SyncPeriod);
        Assert.Equal(TimeSpan.FromMilliseconds(minSyncMs), o.MinSyncPeriod);
        Assert.Equal(masqueradeAll, o.MasqueradeAll);
        Assert.Equal(bit, o.MasqueradeBit);
        Assert.Equal(1u << bit, o.MasqueradeMark);
    }

    [Fact]
    public void Defaults_convert_to_typed_values()
    {
        var o = Options(string.Empty);
        Assert.Equal(ProxyMode.IPTables, o.Mode);
        Assert.Equal("node-1", o.NodeName);
        Assert.Equal(IPAddress.Any, o.BindAddress);
        Assert.Null(o.NodeIPOverride);
        Assert.Equal(new IPEndPoint(IPAddress.Any, 10256), o.HealthzBindAddress);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 10249), o.MetricsBindAddress);
        Assert.Equal(TimeSpan.FromMinutes(15), o.ConfigSyncPeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), o.SyncPeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), o.MinSyncPeriod);
        Assert.Equal(0x4000u, o.MasqueradeMark);
        Assert.True(o.LocalhostNodePorts);
        Assert.Equal(LocalMode.ClusterCIDR, o.DetectLocalMode);
        Assert.True(o.NodePortAddresses.MatchesAll);
        Assert.Equal(new ConntrackOptions(32768, 131072, TimeSpan.FromHours(24), TimeSpan.FromHours(1), false, TimeSpan.Zero, TimeSpan.Zero), o.Conntrack);
        Assert.Equal(-999, o.OomScoreAdj);
        Assert.Equal(0, o.Verbosity);
        Assert.Equal("text", o.LoggingFormat);
        Assert.Equal(new ClientConnectionOptions("", null, "", "application/vnd.kubernetes.protobuf", 5, 10), o.ClientConnection);
    }

    [Fact]
    public void Node_port_addresses_parse_into_cidrs_or_primary()
    {
        Assert.True(Options("mode: nftables\n").NodePortAddresses.UsePrimary);
        var list = Options("nodePortAddresses: [198.18.0.7/24, fd00::/64]\n").NodePortAddresses;
        Assert.False(list.UsePrimary);
        Assert.Equal([IPNetwork.Parse("198.18.0.0/24"), IPNetwork.Parse("fd00::/64")], list.Cidrs);
        Assert.Equal([IPNetwork.Parse("fd00::/64")], list.CidrsOf(IPFamily.IPv6));
    }

    [Fact]
    public void Cluster_cidrs_and_bind_address_are_parsed()
    {
        var o = Options("clusterCIDR: 198.18.64.0/18,fd00:198:18::/56\nbindAddress: fd00::10\nhostnameOverride: \" Worker-2 \"\n");
        Assert.Equal([IPNetwork.Parse("198.18.64.0/18"), IPNetwork.Parse("fd00:198:18::/56")], o.ClusterCidrs);
        Assert.Equal(IPAddress.Parse("fd00::10"), o.NodeIPOverride);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Any, 10256), o.HealthzBindAddress);
        Assert.Equal("worker-2", o.NodeName);
    }

    [Fact]
    public void Empty_healthz_means_disabled_but_a_file_cannot_empty_it()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Any, 10256), Options("healthzBindAddress: \"\"\n").HealthzBindAddress);

        var c = new KubeProxyConfiguration();
        KubeProxyConfigurationDefaults.Apply(c);
        KubeProxyConfigurationDefaults.ApplyPlatform(c);
        c.HealthzBindAddress = string.Empty;
        Assert.Null(ProxyOptions.Create(c, hostName: () => "n").HealthzBindAddress);
    }

    [Fact]
    public void Invalid_configuration_throws_with_every_error()
    {
        var e = Assert.Throws<ConfigurationException>(() => Options("mode: bogus\noomScoreAdj: 5000\n"));
        Assert.Equal(2, e.Errors.Count);
    }

    [Fact]
    public void An_empty_host_name_is_an_error() =>
        Assert.Equal("empty hostname is invalid", Assert.Throws<ConfigurationException>(() => Options("", () => "  ")).Message);

    [Fact]
    public void Feature_gates_are_queryable()
    {
        var o = Options("featureGates: {LoggingAlphaOptions: true, NFTablesProxyMode: false}\n");
        Assert.True(o.IsFeatureEnabled("LoggingAlphaOptions"));
        Assert.True(o.IsFeatureEnabled("NFTablesProxyMode"));
        Assert.True(o.IsFeatureEnabled("ContextualLogging"));
        Assert.False(o.IsFeatureEnabled("SomethingUnknown"));
    }
}
