using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab;

/// <summary>A pod: <c>eth0</c> attached to its node's bridge, default route via the node's bridge address.</summary>
public sealed class LabPod : LabHost
{
    internal LabPod(NetworkLab lab, string name, LabNode node, int index, NetworkNamespace ns)
        : base(lab, name, LabHostKind.Pod, ns, LabAddresses.PodV4(node.Index, index), LabAddresses.PodV6(node.Index, index))
    {
        Node = node;
        Index = index;
    }

    public LabNode Node { get; }

    /// <summary>Position among its node's pods (0 for the first); it picks the addresses.</summary>
    public int Index { get; }

    /// <summary>The interface of this pod's veth on the node side, attached to the node's bridge.</summary>
    public string NodeSideInterface => $"v-{Name}".Length <= 15 ? $"v-{Name}" : $"vp{Index}";
}
