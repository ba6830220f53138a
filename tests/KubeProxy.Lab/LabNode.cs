using System.Net;
using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab;

/// <summary>
/// A node: uplink <c>eth0</c> on the node network, a pod bridge <c>kbr0</c> holding the pod gateway addresses
/// (like a CNI bridge), and its pods attached to that bridge.
/// </summary>
public sealed class LabNode : LabHost
{
    public const string Uplink = "eth0";
    public const string PodBridge = "kbr0";
    private readonly List<LabPod> _pods = [];

    internal LabNode(NetworkLab lab, string name, int index, NetworkNamespace ns)
        : base(lab, name, LabHostKind.Node, ns, LabAddresses.NodeV4(index), LabAddresses.NodeV6(index))
    {
        Index = index;
    }

    /// <summary>Position in the topology (0 for node-1); it picks the addresses.</summary>
    public int Index { get; }

    public IPNetwork PodCidrV4 => LabAddresses.PodCidrV4(Index);

    public IPNetwork PodCidrV6 => LabAddresses.PodCidrV6(Index);

    public IPAddress PodGatewayV4 => LabAddresses.PodGatewayV4(Index);

    public IPAddress PodGatewayV6 => LabAddresses.PodGatewayV6(Index);

    public IReadOnlyList<LabPod> Pods => _pods;

    internal void Add(LabPod pod) => _pods.Add(pod);
}
