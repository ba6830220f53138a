using System.Collections.Immutable;
using KubeProxy.Core.Model;
using KubeProxy.Core.Tracking;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Tracking;

/// <summary>Per-family Service port info and skip rules, as upstream newBaseServiceInfo and ShouldSkipService.</summary>
public sealed class ServicePortInfoFactoryTests
{
    private static readonly Service DualStackLoadBalancer = Service(
        clusterIPs: ["198.19.0.10", "fd00:198:19::10"],
        type: ServiceType.LoadBalancer,
        ports: [new ServicePort("http", Protocol.TCP, 80, 30080), new ServicePort("dns", Protocol.UDP, 53, 30053)],
        etp: TrafficPolicy.Local) with
    {
        ExternalIPs = new[] { IP("198.19.128.10"), IP("fd00:198:19:80::10"), IP("198.19.128.11") },
        LoadBalancerIngress = new[]
        {
            new LoadBalancerIngress(IP("198.19.200.1")),
            new LoadBalancerIngress(IP("198.19.200.2"), LoadBalancerIPMode.Proxy),
            new LoadBalancerIngress(IP("fd00:198:19:c8::1")),
            new LoadBalancerIngress(IP("fd00:198:19:c8::2"), LoadBalancerIPMode.Proxy),
        },
        LoadBalancerSourceRanges = new[] { Cidr("198.19.128.0/24"), Cidr("fd00:198:19:80::/64"), Cidr("203.0.113.0/24") },
        HealthCheckNodePort = 31000,
        SessionAffinity = SessionAffinity.ClientIP,
        AffinityTimeoutSeconds = 600,
    };

    [Fact]
    public void OneInfoPerPortWithTheServiceWideFields()
    {
        var infos = ServicePortInfoFactory.Create(DualStackLoadBalancer, IPFamily.IPv4);

        Assert.Equal(2, infos.Count);
        Assert.Equal(PortName(port: "http"), infos[0].Name);
        Assert.Equal(PortName(port: "dns", protocol: Protocol.UDP), infos[1].Name);
        Assert.Equal(Protocol.UDP, infos[1].Protocol);
        Assert.Equal([80, 53], infos.Select(i => i.Port));
        Assert.Equal([30080, 30053], infos.Select(i => i.NodePort));
        Assert.All(infos, i =>
        {
            Assert.Equal(SessionAffinity.ClientIP, i.SessionAffinity);
            Assert.Equal(600, i.StickyMaxAgeSeconds);
            Assert.Equal(TrafficPolicy.Local, i.ExternalTrafficPolicy);
            Assert.True(i.ExternalPolicyLocal);
        });
    }

    [Fact]
    public void IPv4PipelineSeesOnlyIPv4Addresses()
    {
        var info = ServicePortInfoFactory.Create(DualStackLoadBalancer, IPFamily.IPv4)[0];

        Assert.Equal(IP("198.19.0.10"), info.ClusterIP);
        Assert.Equal([IP("198.19.128.10"), IP("198.19.128.11")], info.ExternalIPs);
        Assert.Equal([IP("198.19.200.1")], info.LoadBalancerVIPs);
        Assert.Equal([Cidr("198.19.128.0/24"), Cidr("203.0.113.0/24")], info.LoadBalancerSourceRanges);
        Assert.True(info.HasSourceRanges);
    }

    [Fact]
    public void IPv6PipelineSeesOnlyIPv6Addresses()
    {
        var info = ServicePortInfoFactory.Create(DualStackLoadBalancer, IPFamily.IPv6)[0];

        Assert.Equal(IP("fd00:198:19::10"), info.ClusterIP);
        Assert.Equal([IP("fd00:198:19:80::10")], info.ExternalIPs);
        Assert.Equal([IP("fd00:198:19:c8::1")], info.LoadBalancerVIPs);
        Assert.Equal([Cidr("fd00:198:19:80::/64")], info.LoadBalancerSourceRanges);
    }

    [Fact]
    public void PrimaryFamilyComesFromTheOrderOfClusterIPs()
    {
        var ipv6First = Service(clusterIPs: ["fd00:198:19::10", "198.19.0.10"]);
        Assert.Equal(IP("198.19.0.10"), ServicePortInfoFactory.Create(ipv6First, IPFamily.IPv4)[0].ClusterIP);
        Assert.Equal(IP("fd00:198:19::10"), ServicePortInfoFactory.Create(ipv6First, IPFamily.IPv6)[0].ClusterIP);
    }

    [Fact]
    public void ProxyModeIngressIsIgnoredEvenWhenItIsTheOnlyOne()
    {
        var svc = Service(type: ServiceType.LoadBalancer, ports: [new ServicePort("p80", Protocol.TCP, 80)]) with
        {
            LoadBalancerIngress = new[] { new LoadBalancerIngress(IP("198.19.200.2"), LoadBalancerIPMode.Proxy) },
        };
        var info = ServicePortInfoFactory.Create(svc, IPFamily.IPv4)[0];
        Assert.Empty(info.LoadBalancerVIPs);
        Assert.False(info.ExternallyAccessible);
    }

    [Theory]
    [InlineData(ServiceType.LoadBalancer, TrafficPolicy.Local, 31000)]
    [InlineData(ServiceType.LoadBalancer, TrafficPolicy.Cluster, 0)]
    [InlineData(ServiceType.NodePort, TrafficPolicy.Local, 0)]
    [InlineData(ServiceType.ClusterIP, TrafficPolicy.Local, 0)]
    public void HealthCheckNodePortOnlyForLoadBalancerWithLocalExternalPolicy(ServiceType type, TrafficPolicy etp, int expected)
    {
        var svc = Service(type: type, etp: etp, ports: [new ServicePort("p80", Protocol.TCP, 80, type == ServiceType.ClusterIP ? 0 : 30080)]) with
        {
            HealthCheckNodePort = 31000,
            ExternalIPs = new[] { IP("198.19.128.10") },
        };
        Assert.Equal(expected, ServicePortInfoFactory.Create(svc, IPFamily.IPv4)[0].HealthCheckNodePort);
    }

    [Fact]
    public void ExternalPolicyIsIgnoredForAClusterIPServiceWithoutExternalIPs()
    {
        var info = ServicePortInfoFactory.Create(Service(etp: TrafficPolicy.Local), IPFamily.IPv4)[0];
        Assert.Equal(TrafficPolicy.Cluster, info.ExternalTrafficPolicy);
        Assert.False(info.ExternalPolicyLocal);
        Assert.False(info.UsesLocalEndpoints);
        Assert.True(info.UsesClusterEndpoints);
    }

    [Fact]
    public void ExternalPolicyAppliesToAClusterIPServiceWithExternalIPs()
    {
        var svc = Service(etp: TrafficPolicy.Local) with { ExternalIPs = new[] { IP("198.19.128.10") } };
        var info = ServicePortInfoFactory.Create(svc, IPFamily.IPv4)[0];
        Assert.True(info.ExternallyAccessible);
        Assert.True(info.ExternalPolicyLocal);
        Assert.True(info.UsesLocalEndpoints);
        Assert.True(info.UsesClusterEndpoints);
    }

    [Fact]
    public void ExternalIPsOfTheOtherFamilyDoNotMakeThePortExternallyAccessible()
    {
        var svc = Service(etp: TrafficPolicy.Local, itp: TrafficPolicy.Local) with { ExternalIPs = new[] { IP("fd00:198:19:80::10") } };
        var info = ServicePortInfoFactory.Create(svc, IPFamily.IPv4)[0];
        Assert.False(info.ExternallyAccessible);
        Assert.False(info.ExternalPolicyLocal);
        Assert.False(info.UsesClusterEndpoints);
        Assert.True(info.UsesLocalEndpoints);
    }

    [Fact]
    public void LoadBalancerWithoutNodePortsIsExternallyAccessibleThroughItsVIPs()
    {
        var svc = Service(type: ServiceType.LoadBalancer, ports: [new ServicePort("p80", Protocol.TCP, 80, 0)]) with
        {
            LoadBalancerIngress = new[] { new LoadBalancerIngress(IP("198.19.200.1")) },
        };
        var info = ServicePortInfoFactory.Create(svc, IPFamily.IPv4)[0];
        Assert.Equal(0, info.NodePort);
        Assert.True(info.ExternallyAccessible);
    }

    [Fact]
    public void InternalPolicyIsCopied()
    {
        var info = ServicePortInfoFactory.Create(Service(itp: TrafficPolicy.Local), IPFamily.IPv4)[0];
        Assert.True(info.InternalPolicyLocal);
        Assert.False(info.UsesClusterEndpoints);
        Assert.True(info.UsesLocalEndpoints);
    }

    [Fact]
    public void NoAffinityMeansNoStickyTimeout()
    {
        var info = ServicePortInfoFactory.Create(Service() with { AffinityTimeoutSeconds = 600 }, IPFamily.IPv4)[0];
        Assert.Equal(SessionAffinity.None, info.SessionAffinity);
        Assert.Equal(0, info.StickyMaxAgeSeconds);
    }

    public static TheoryData<string, Service, IPFamily> SkippedServices() => new()
    {
        { "ExternalName", Service(type: ServiceType.ExternalName, clusterIPs: []), IPFamily.IPv4 },
        { "ExternalName even with a ClusterIP", Service(type: ServiceType.ExternalName), IPFamily.IPv4 },
        { "headless", Service(clusterIPs: []) with { IsHeadless = true }, IPFamily.IPv4 },
        { "no ClusterIP", Service(clusterIPs: []), IPFamily.IPv4 },
        { "IPv4-only Service in the IPv6 pipeline", Service(clusterIPs: ["198.19.0.10"]), IPFamily.IPv6 },
        { "IPv6-only Service in the IPv4 pipeline", Service(clusterIPs: ["fd00:198:19::10"]), IPFamily.IPv4 },
        {
            "service-proxy-name label", Service() with
            {
                Labels = ImmutableSortedDictionary<string, string>.Empty.Add(ProxyLabels.ServiceProxyName, "other-proxy"),
            },
            IPFamily.IPv4
        },
        {
            "service-proxy-name label with an empty value", Service() with
            {
                Labels = ImmutableSortedDictionary<string, string>.Empty.Add(ProxyLabels.ServiceProxyName, ""),
            },
            IPFamily.IPv4
        },
    };

    [Theory]
    [MemberData(nameof(SkippedServices))]
    public void SkippedServicesGetNoPortsAndAReason(string why, Service service, IPFamily family)
    {
        Assert.NotNull(ServicePortInfoFactory.SkipReason(service, family));
        Assert.True(ServicePortInfoFactory.Create(service, family).Count == 0, why);
    }

    [Fact]
    public void OtherLabelsDoNotSkip()
    {
        var svc = Service() with { Labels = ImmutableSortedDictionary<string, string>.Empty.Add("app", "web") };
        Assert.Null(ServicePortInfoFactory.SkipReason(svc, IPFamily.IPv4));
        Assert.Single(ServicePortInfoFactory.Create(svc, IPFamily.IPv4));
    }

    [Fact]
    public void ServiceWithoutPortsGetsNothingButIsNotSkipped()
    {
        var svc = Service(ports: []);
        Assert.Null(ServicePortInfoFactory.SkipReason(svc, IPFamily.IPv4));
        Assert.Empty(ServicePortInfoFactory.Create(svc, IPFamily.IPv4));
    }
}
