using System.Net;

namespace KubeProxy.Lab.Tests;

public sealed class LabAddressesTests
{
    [Fact]
    public void FollowsTheAddressPlan()
    {
        Assert.Equal(IPAddress.Parse("198.18.0.10"), LabAddresses.NodeV4(0));
        Assert.Equal(IPAddress.Parse("fd00:198:18::10"), LabAddresses.NodeV6(0));
        Assert.Equal(IPNetwork.Parse("198.18.64.0/24"), LabAddresses.PodCidrV4(0));
        Assert.Equal(IPNetwork.Parse("198.18.66.0/24"), LabAddresses.PodCidrV4(2));
        Assert.Equal(IPNetwork.Parse("fd00:198:18:64::/64"), LabAddresses.PodCidrV6(0));
        Assert.Equal(IPAddress.Parse("198.18.64.1"), LabAddresses.PodGatewayV4(0));
        Assert.Equal(IPAddress.Parse("198.18.64.11"), LabAddresses.PodV4(0, 0));
        Assert.Equal(IPAddress.Parse("fd00:198:18:64::12"), LabAddresses.PodV6(0, 1));
        Assert.Equal(IPAddress.Parse("198.19.128.10"), LabAddresses.ClientV4(0));
        Assert.Equal(IPAddress.Parse("198.19.129.10"), LabAddresses.BlockedClientV4(0));
        Assert.Equal(IPAddress.Parse("198.19.1.0"), LabAddresses.ClusterIPV4(256));
        Assert.Equal(IPAddress.Parse("198.19.200.7"), LabAddresses.LoadBalancerIPV4(7));
        Assert.Equal(IPAddress.Parse("198.19.201.7"), LabAddresses.ExternalIPV4(7));
        Assert.Equal(IPAddress.Parse("fd00:198:19::5"), LabAddresses.ClusterIPV6(5));
    }

    [Fact]
    public void StaysInsideTestSpace()
    {
        var v4 = IPNetwork.Parse("198.18.0.0/15");
        var v6 = IPNetwork.Parse("fd00::/8");
        IPAddress[] addresses =
        [
            LabAddresses.NodeV4(2), LabAddresses.PodV4(2, 199), LabAddresses.ClientV4(199), LabAddresses.BlockedClientV4(0),
            LabAddresses.ClusterIPV4(4094), LabAddresses.LoadBalancerIPV4(254), LabAddresses.ExternalIPV4(1),
            LabAddresses.NodeV6(2), LabAddresses.PodV6(2, 3), LabAddresses.ClientV6(0), LabAddresses.LoadBalancerIPV6(1),
        ];

        Assert.All(addresses, a => Assert.True(v4.Contains(a) || v6.Contains(a), $"{a} is outside the test space"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabAddresses.NodeV4(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => LabAddresses.ClusterIPV4(4095));
    }
}
