using KubeProxy.Core.Model;

namespace KubeProxy.Nftables.Rendering;

/// <summary>The words nft uses for one IP family.</summary>
public sealed record NftFamily(string Table, string Ip, string AddrType, string Loopback)
{
    public static readonly NftFamily V4 = new("ip", "ip", "ipv4_addr", "127.0.0.0/8");
    public static readonly NftFamily V6 = new("ip6", "ip6", "ipv6_addr", "::1");

    public static NftFamily Of(IPFamily family) => family == IPFamily.IPv6 ? V6 : V4;
}
