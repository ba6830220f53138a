using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Configuration;

/// <summary>
/// Where NodePorts are served (<c>nodePortAddresses</c>): on node IPs inside <see cref="Cidrs"/>, on the Node
/// object's primary IPs only (<see cref="UsePrimary"/>, the value "primary"), or on every local IP when
/// neither is set.
/// </summary>
public sealed record NodePortAddresses(EquatableArray<IPNetwork> Cidrs, bool UsePrimary)
{
    public static NodePortAddresses All { get; } = new(EquatableArray<IPNetwork>.Empty, false);

    /// <summary>True when NodePorts are accepted on every local IP (nothing configured).</summary>
    public bool MatchesAll => !UsePrimary && Cidrs.IsEmpty;

    /// <summary>The configured CIDRs of one family.</summary>
    public IEnumerable<IPNetwork> CidrsOf(IPFamily family) => Cidrs.Where(c => c.Family() == family);
}
