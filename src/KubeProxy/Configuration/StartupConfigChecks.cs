using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Configuration;

/// <summary>
/// Upstream's start-up sanity checks that need to know the node (server.go checkBadConfig and
/// checkBadIPConfig): settings of the wrong IP family for the node's primary family. Most only deserve a
/// warning; a wrong-family clusterCIDR in ClusterCIDR mode on a single-stack node, or a wrong-family pod CIDR
/// in NodeCIDR mode, is fatal. Call them once the node's primary family (and pod CIDRs) are known.
/// </summary>
public static class StartupConfigChecks
{
    /// <summary>Warnings about nodePortAddresses (checkBadConfig). Never fatal.</summary>
    public static IReadOnlyList<string> CheckBadConfig(
        ProxyOptions options, IPFamily primaryFamily, IReadOnlyList<IPNetwork>? podCidrs = null)
    {
        var warnings = new List<string>();
        var nodePorts = options.NodePortAddresses;
        if (nodePorts.MatchesAll)
        {
            warnings.Add("nodePortAddresses is unset; NodePort connections will be accepted on all local IPs. " +
                         "Consider using `--nodeport-addresses primary`");
            return warnings;
        }

        // "primary" follows the Node's own IPs, so it always covers the families the node has.
        if (nodePorts.UsePrimary)
        {
            return warnings;
        }

        var anyDualStack = IsDualStack(options.ClusterCidrs) || IsDualStack(nodePorts.Cidrs) ||
                           IsDualStack(options.Ipvs.ExcludeCidrs) || IsDualStack(podCidrs ?? []);
        var primary = primaryFamily.Label();
        var other = Other(primaryFamily).Label();
        var primaryCount = nodePorts.CidrsOf(primaryFamily).Count();
        if (anyDualStack && primaryCount == nodePorts.Cidrs.Count)
        {
            warnings.Add($"cluster appears to be dual-stack but nodePortAddresses contains only {primary} addresses; " +
                         $"NodePort connections will be accepted on all local {other} IPs");
        }
        else if (primaryCount == 0)
        {
            warnings.Add($"cluster appears to be {primary}-primary but nodePortAddresses contains only {other} addresses; " +
                         $"NodePort connections will be accepted on all local {primary} IPs");
        }

        return warnings;
    }

    /// <summary>Wrong-family settings (checkBadIPConfig); <c>Fatal</c> means kube-proxy must not start.</summary>
    public static (IReadOnlyList<string> Problems, bool Fatal) CheckBadIPConfig(
        ProxyOptions options, IPFamily primaryFamily, bool dualStackSupported, IReadOnlyList<IPNetwork>? podCidrs = null)
    {
        var problems = new List<string>();
        var fatal = false;
        var bad = Other(primaryFamily);
        var clusterType = primaryFamily.Label() + (dualStackSupported ? "-primary" : "-only");

        if (AllOf(options.ClusterCidrs, bad))
        {
            problems.Add($"cluster is {clusterType} but clusterCIDRs contains only {bad.Label()} addresses");
            fatal |= options.DetectLocalMode == LocalMode.ClusterCIDR && !dualStackSupported;
        }

        if (AllOf(podCidrs ?? [], bad))
        {
            problems.Add($"cluster is {clusterType} but node.spec.podCIDRs contains only {bad.Label()} addresses");
            fatal |= options.DetectLocalMode == LocalMode.NodeCIDR;
        }

        // Some settings only matter when the other family is not there at all.
        if (!dualStackSupported)
        {
            if (AllOf(options.Ipvs.ExcludeCidrs, bad))
            {
                problems.Add($"cluster is {clusterType} but ipvs.excludeCIDRs contains only {bad.Label()} addresses");
            }

            if (IsBadBind(options.HealthzBindAddress, bad))
            {
                problems.Add($"cluster is {clusterType} but healthzBindAddress is {bad.Label()}");
            }

            if (IsBadBind(options.MetricsBindAddress, bad))
            {
                problems.Add($"cluster is {clusterType} but metricsBindAddress is {bad.Label()}");
            }
        }

        return (problems, fatal);
    }

    private static IPFamily Other(IPFamily family) => family == IPFamily.IPv4 ? IPFamily.IPv6 : IPFamily.IPv4;

    private static bool IsDualStack(IReadOnlyList<IPNetwork> cidrs) =>
        cidrs.Any(c => c.Family() == IPFamily.IPv4) && cidrs.Any(c => c.Family() == IPFamily.IPv6);

    private static bool AllOf(IReadOnlyList<IPNetwork> cidrs, IPFamily family) =>
        cidrs.Count > 0 && cidrs.All(c => c.Family() == family);

    private static bool IsBadBind(IPEndPoint? endPoint, IPFamily bad) =>
        endPoint is not null && endPoint.Address.Family() == bad &&
        !endPoint.Address.Equals(IPAddress.Any) && !endPoint.Address.Equals(IPAddress.IPv6Any);
}
