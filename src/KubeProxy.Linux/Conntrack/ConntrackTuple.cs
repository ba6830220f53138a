using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>One direction of a connection: addresses and (for TCP, UDP, SCTP) ports, in host order.</summary>
public readonly record struct ConntrackTuple(NetAddress Source, NetAddress Destination, ushort SourcePort, ushort DestinationPort)
{
    public override string ToString() => $"src={Source} dst={Destination} sport={SourcePort} dport={DestinationPort}";
}
