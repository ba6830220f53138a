using System.Net;
using System.Net.Sockets;

namespace KubeProxy.Core.Model;

/// <summary>An IP family, as Kubernetes names them in <c>ipFamilies</c> and EndpointSlice <c>addressType</c>.</summary>
public enum IPFamily
{
    IPv4,
    IPv6,
}

public static class IPFamilyExtensions
{
    public static IPFamily Family(this IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IPFamily.IPv6 : IPFamily.IPv4;

    public static IPFamily Family(this IPNetwork network) => network.BaseAddress.Family();

    /// <summary>The suffix upstream uses in metric labels and health JSON ("IPv4", "IPv6").</summary>
    public static string Label(this IPFamily family) => family == IPFamily.IPv6 ? "IPv6" : "IPv4";
}
