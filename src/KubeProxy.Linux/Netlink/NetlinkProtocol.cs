namespace KubeProxy.Linux.Netlink;

/// <summary>Netlink protocol families (the third argument of socket(AF_NETLINK, ...)).</summary>
public enum NetlinkProtocol
{
    Route = 0,
    Netfilter = 12,
    Generic = 16,
}
