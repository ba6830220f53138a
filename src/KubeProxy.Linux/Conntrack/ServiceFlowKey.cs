using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// What a flow's original direction is matched on: a service address and port (ClusterIP, externalIP, LoadBalancer
/// VIP), or, with <see cref="IsNodePort"/>, a node port on any destination address. Protocol is part of the key.
/// </summary>
internal readonly record struct ServiceFlowKey(NetAddress Address, ushort Port, byte Protocol, bool IsNodePort)
{
    public static ServiceFlowKey Service(NetAddress address, int port, byte protocol) => new(address, (ushort)port, protocol, false);

    public static ServiceFlowKey NodePort(int port, byte protocol) => new(default, (ushort)port, protocol, true);

    public override string ToString() =>
        IsNodePort ? $"nodePort {Port}/{IPProtocolNumber.Name(Protocol)}" : $"{Address}:{Port}/{IPProtocolNumber.Name(Protocol)}";
}
