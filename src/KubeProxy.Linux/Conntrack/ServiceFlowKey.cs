using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// What a flow's original direction is matched on: a service address and port (ClusterIP, externalIP, LoadBalancer
/// VIP), or, with <see cref="IsNodePort"/>, a node port on any destination address. Protocol is part of the key.
/// Hand-written equality and hash: this is looked up once or twice per dumped entry.
/// </summary>
internal readonly struct ServiceFlowKey : IEquatable<ServiceFlowKey>
{
    private readonly ulong _high;
    private readonly ulong _low;

    // port | protocol << 16 | IPv6 << 24 | node port << 25
    private readonly uint _tag;

    private ServiceFlowKey(NetAddress address, ushort port, byte protocol, bool isNodePort)
    {
        Address = address;
        _high = address.High;
        _low = address.Low;
        _tag = TagOf(port, protocol, address.IsIPv6 && !isNodePort) | (isNodePort ? NodePortBit : 0);
    }

    public NetAddress Address { get; }

    internal ulong High => _high;

    internal ulong Low => _low;

    internal uint Tag => _tag;

    internal const uint NodePortBit = 1u << 25;

    /// <summary>The tag of a key for this flow's destination port and protocol (service address form).</summary>
    internal static uint TagOf(ushort port, byte protocol, bool isIPv6) => port | ((uint)protocol << 16) | (isIPv6 ? 1u << 24 : 0);

    public ushort Port => (ushort)_tag;

    public byte Protocol => (byte)(_tag >> 16);

    public bool IsNodePort => (_tag & NodePortBit) != 0;

    public static ServiceFlowKey Service(NetAddress address, int port, byte protocol) => new(address, (ushort)port, protocol, false);

    public static ServiceFlowKey NodePort(int port, byte protocol) => new(default, (ushort)port, protocol, true);

    public bool Equals(ServiceFlowKey other) => _low == other._low && _tag == other._tag && _high == other._high;

    public override bool Equals(object? obj) => obj is ServiceFlowKey other && Equals(other);

    public override int GetHashCode() => Hash(_high, _low, _tag);

    internal static int Hash(ulong high, ulong low, uint tag)
    {
        var mixed = (low ^ (high * 0x9E3779B97F4A7C15UL) ^ ((ulong)tag << 32)) * 0xFF51AFD7ED558CCDUL;
        return (int)(mixed >> 32) ^ (int)mixed;
    }

    public static bool operator ==(ServiceFlowKey left, ServiceFlowKey right) => left.Equals(right);

    public static bool operator !=(ServiceFlowKey left, ServiceFlowKey right) => !left.Equals(right);

    public override string ToString() =>
        IsNodePort ? $"nodePort {Port}/{IPProtocolNumber.Name(Protocol)}" : $"{Address}:{Port}/{IPProtocolNumber.Name(Protocol)}";
}
