using KubeProxy.Core.Model;

namespace KubeProxy.Linux.Conntrack;

/// <summary>IANA protocol numbers, as conntrack tuples carry them.</summary>
public static class IPProtocolNumber
{
    public const byte Tcp = 6;
    public const byte Udp = 17;
    public const byte Sctp = 132;

    public static byte Of(Protocol protocol) => protocol switch
    {
        Protocol.TCP => Tcp,
        Protocol.UDP => Udp,
        Protocol.SCTP => Sctp,
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    public static string Name(byte number) => number switch
    {
        Tcp => "tcp",
        Udp => "udp",
        Sctp => "sctp",
        1 => "icmp",
        58 => "icmpv6",
        _ => number.ToString(),
    };
}
