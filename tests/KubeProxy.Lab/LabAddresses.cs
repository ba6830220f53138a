using System.Net;

namespace KubeProxy.Lab;

/// <summary>
/// The lab's address plan. Every address a lab uses comes from here, and all of it is test space
/// (198.18.0.0/15, fd00::/8) that only ever exists inside lab namespaces.
/// </summary>
public static class LabAddresses
{
    /// <summary>At most three nodes: pod CIDRs 198.18.64-66.0/24.</summary>
    public const int MaxNodes = 3;

    public static readonly IPNetwork NodeNetworkV4 = IPNetwork.Parse("198.18.0.0/24");
    public static readonly IPNetwork NodeNetworkV6 = IPNetwork.Parse("fd00:198:18::/64");
    public static readonly IPAddress RouterNodeSideV4 = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress RouterNodeSideV6 = IPAddress.Parse("fd00:198:18::1");

    public static readonly IPNetwork ClusterIPRangeV4 = IPNetwork.Parse("198.19.0.0/20");
    public static readonly IPNetwork ClusterIPRangeV6 = IPNetwork.Parse("fd00:198:19::/108");

    public static readonly IPNetwork ClientNetworkV4 = IPNetwork.Parse("198.19.128.0/24");
    public static readonly IPNetwork ClientNetworkV6 = IPNetwork.Parse("fd00:198:19:128::/64");
    public static readonly IPAddress RouterClientSideV4 = IPAddress.Parse("198.19.128.1");
    public static readonly IPAddress RouterClientSideV6 = IPAddress.Parse("fd00:198:19:128::1");

    /// <summary>A second client network, for tests where some sources must be refused (loadBalancerSourceRanges).</summary>
    public static readonly IPNetwork BlockedNetworkV4 = IPNetwork.Parse("198.19.129.0/24");
    public static readonly IPNetwork BlockedNetworkV6 = IPNetwork.Parse("fd00:198:19:129::/64");
    public static readonly IPAddress RouterBlockedSideV4 = IPAddress.Parse("198.19.129.1");
    public static readonly IPAddress RouterBlockedSideV6 = IPAddress.Parse("fd00:198:19:129::1");

    public static readonly IPNetwork LoadBalancerRangeV4 = IPNetwork.Parse("198.19.200.0/24");
    public static readonly IPNetwork LoadBalancerRangeV6 = IPNetwork.Parse("fd00:198:19:200::/64");
    public static readonly IPNetwork ExternalIPRangeV4 = IPNetwork.Parse("198.19.201.0/24");
    public static readonly IPNetwork ExternalIPRangeV6 = IPNetwork.Parse("fd00:198:19:201::/64");

    /// <summary>node-1 is 198.18.0.10, node-2 198.18.0.11, ...</summary>
    public static IPAddress NodeV4(int nodeIndex) => V4(198, 18, 0, 10 + CheckNode(nodeIndex));

    public static IPAddress NodeV6(int nodeIndex) => V6("fd00:198:18::", 10 + CheckNode(nodeIndex));

    /// <summary>node-1's pods are in 198.18.64.0/24, node-2's in 198.18.65.0/24, ...</summary>
    public static IPNetwork PodCidrV4(int nodeIndex) => new(V4(198, 18, 64 + CheckNode(nodeIndex), 0), 24);

    public static IPNetwork PodCidrV6(int nodeIndex) => new(IPAddress.Parse($"fd00:198:18:{64 + CheckNode(nodeIndex)}::"), 64);

    /// <summary>The node's address on its pod bridge (kbr0), the pods' default gateway: 198.18.64.1 on node-1.</summary>
    public static IPAddress PodGatewayV4(int nodeIndex) => V4(198, 18, 64 + CheckNode(nodeIndex), 1);

    public static IPAddress PodGatewayV6(int nodeIndex) => V6($"fd00:198:18:{64 + CheckNode(nodeIndex)}::", 1);

    /// <summary>Pods of a node count from .11: node-1's first pod is 198.18.64.11.</summary>
    public static IPAddress PodV4(int nodeIndex, int podIndex) => V4(198, 18, 64 + CheckNode(nodeIndex), 11 + CheckHost(podIndex));

    public static IPAddress PodV6(int nodeIndex, int podIndex) => V6($"fd00:198:18:{64 + CheckNode(nodeIndex)}::", 11 + CheckHost(podIndex));

    /// <summary>Clients count from .10: the first client is 198.19.128.10.</summary>
    public static IPAddress ClientV4(int clientIndex) => V4(198, 19, 128, 10 + CheckHost(clientIndex));

    public static IPAddress ClientV6(int clientIndex) => V6("fd00:198:19:128::", 10 + CheckHost(clientIndex));

    public static IPAddress BlockedClientV4(int clientIndex) => V4(198, 19, 129, 10 + CheckHost(clientIndex));

    public static IPAddress BlockedClientV6(int clientIndex) => V6("fd00:198:19:129::", 10 + CheckHost(clientIndex));

    /// <summary>The n-th ClusterIP for a test Service, n from 1 (198.19.0.1 ... 198.19.15.254).</summary>
    public static IPAddress ClusterIPV4(int n) => Nth(ClusterIPRangeV4, n);

    public static IPAddress ClusterIPV6(int n) => V6("fd00:198:19::", n);

    public static IPAddress LoadBalancerIPV4(int n) => Nth(LoadBalancerRangeV4, n);

    public static IPAddress LoadBalancerIPV6(int n) => V6("fd00:198:19:200::", n);

    public static IPAddress ExternalIPV4(int n) => Nth(ExternalIPRangeV4, n);

    public static IPAddress ExternalIPV6(int n) => V6("fd00:198:19:201::", n);

    private static IPAddress V4(int a, int b, int c, int d) => new([(byte)a, (byte)b, (byte)c, (byte)d]);

    // Host parts are written in decimal digits inside the last group ("::10" for node-1), to read like the IPv4 plan.
    private static IPAddress V6(string network, int host) => IPAddress.Parse($"{network}{host}");

    private static IPAddress Nth(IPNetwork network, int n)
    {
        var size = 1 << (32 - network.PrefixLength);
        if (n < 1 || n >= size - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"{network} has hosts 1..{size - 2}");
        }

        var bytes = network.BaseAddress.GetAddressBytes();
        var value = ((uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3]) + (uint)n;
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    private static int CheckNode(int nodeIndex) =>
        nodeIndex is >= 0 and < MaxNodes ? nodeIndex : throw new ArgumentOutOfRangeException(nameof(nodeIndex), $"the lab has at most {MaxNodes} nodes");

    private static int CheckHost(int index) =>
        index is >= 0 and < 200 ? index : throw new ArgumentOutOfRangeException(nameof(index), "at most 200 hosts per network");
}
