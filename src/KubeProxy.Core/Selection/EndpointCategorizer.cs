using System.Collections.Immutable;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Selection;

/// <summary>
/// Chooses which endpoints receive traffic for one Service port on this node, exactly as upstream's
/// CategorizeEndpoints (pkg/proxy/topology.go), so that every data plane agrees:
/// <list type="bullet">
/// <item>Cluster set: Ready endpoints, narrowed by topology hints when they are usable; if none is Ready anywhere,
/// the Serving and Terminating ones (topology ignored). Empty when the port does not use cluster endpoints.</item>
/// <item>Local set: local Ready endpoints; if there are none, local Serving and Terminating ones. Empty when the
/// port does not use local endpoints.</item>
/// <item>HasAnyEndpoints: some endpoint is Ready, or Serving and Terminating, anywhere — the difference between
/// REJECT (nothing at all) and DROP (nothing usable from here).</item>
/// </list>
/// The input list must be sorted by <see cref="EndpointInfo.Key"/>; outputs keep that order.
/// </summary>
public static class EndpointCategorizer
{
    public static CategorizedEndpoints Categorize(
        ServicePortInfo port,
        EquatableArray<EndpointInfo> endpoints,
        string nodeName,
        string? zone,
        bool preferSameNodeEnabled = true)
    {
        var cluster = EquatableArray<EndpointInfo>.Empty;
        var local = EquatableArray<EndpointInfo>.Empty;
        var hasAny = false;
        var mode = TopologyMode.None;

        if (port.UsesClusterEndpoints)
        {
            mode = ChooseTopologyMode(endpoints, nodeName, zone, preferSameNodeEnabled);
            cluster = Filter(endpoints, ep => ep.Ready && AvailableForTopology(ep, mode, nodeName, zone));

            // Nothing Ready anywhere (topology already falls back when nothing is Ready for this node or zone):
            // keep serving through endpoints that are shutting down but still able to serve.
            if (cluster.IsEmpty)
            {
                cluster = Filter(endpoints, ep => ep.Serving && ep.Terminating);
            }

            hasAny = !cluster.IsEmpty;
        }

        if (!port.UsesLocalEndpoints)
        {
            return new CategorizedEndpoints(cluster, local, cluster, hasAny, mode);
        }

        var hasLocalReady = false;
        var hasLocalServingTerminating = false;
        foreach (var ep in endpoints)
        {
            if (ep.Ready)
            {
                hasAny = true;
                hasLocalReady |= ep.IsLocal;
            }
            else if (ep.Serving && ep.Terminating)
            {
                hasAny = true;
                hasLocalServingTerminating |= ep.IsLocal;
            }
        }

        if (hasLocalReady)
        {
            local = Filter(endpoints, ep => ep.IsLocal && ep.Ready);
        }
        else if (hasLocalServingTerminating)
        {
            local = Filter(endpoints, ep => ep.IsLocal && ep.Serving && ep.Terminating);
        }

        if (!port.UsesClusterEndpoints)
        {
            return new CategorizedEndpoints(cluster, local, local, hasAny, mode);
        }

        if (local.IsEmpty)
        {
            return new CategorizedEndpoints(cluster, local, cluster, hasAny, mode);
        }

        // Cluster may hold remote endpoints that Local lacks, and Local may hold terminating or
        // topology-filtered local endpoints that Cluster lacks: the union, in key order.
        var members = new HashSet<EndpointInfo>(ReferenceEqualityComparer.Instance);
        foreach (var ep in cluster) members.Add(ep);
        foreach (var ep in local) members.Add(ep);
        var union = Filter(endpoints, members.Contains);
        return new CategorizedEndpoints(cluster, local, union, hasAny, mode);
    }

    /// <summary>
    /// Hints are used only when every Ready endpoint carries them (a partial rollout of hints must not
    /// concentrate traffic), and only when at least one is meant for this node or zone.
    /// </summary>
    public static TopologyMode ChooseTopologyMode(
        EquatableArray<EndpointInfo> endpoints, string nodeName, string? zone, bool preferSameNodeEnabled)
    {
        var hasEndpointForNode = false;
        var allHaveNodeHints = true;
        var hasEndpointForZone = false;
        var allHaveZoneHints = true;
        foreach (var ep in endpoints)
        {
            if (!ep.Ready) continue;
            if (!ep.HasNodeHints) allHaveNodeHints = false;
            else if (ep.NodeHints.Contains(nodeName)) hasEndpointForNode = true;

            if (!ep.HasZoneHints) allHaveZoneHints = false;
            else if (zone is not null && ep.ZoneHints.Contains(zone)) hasEndpointForZone = true;
        }

        if (preferSameNodeEnabled && allHaveNodeHints && hasEndpointForNode) return TopologyMode.PreferSameNode;
        if (allHaveZoneHints && hasEndpointForZone) return TopologyMode.PreferSameZone;
        return TopologyMode.None;
    }

    private static bool AvailableForTopology(EndpointInfo ep, TopologyMode mode, string nodeName, string? zone) => mode switch
    {
        TopologyMode.PreferSameNode => ep.NodeHints.Contains(nodeName),
        TopologyMode.PreferSameZone => zone is not null && ep.ZoneHints.Contains(zone),
        _ => true,
    };

    private static EquatableArray<EndpointInfo> Filter(EquatableArray<EndpointInfo> endpoints, Func<EndpointInfo, bool> keep)
    {
        // Counted first: when every endpoint is kept (the common case) the result is the input itself, so a port's
        // endpoints, cluster and reachable sets share one array in the snapshot; otherwise the one array allocated
        // is the result.
        var count = 0;
        foreach (var ep in endpoints)
        {
            if (keep(ep)) count++;
        }
        if (count == endpoints.Count) return endpoints;
        if (count == 0) return EquatableArray<EndpointInfo>.Empty;
        var builder = ImmutableArray.CreateBuilder<EndpointInfo>(count);
        foreach (var ep in endpoints)
        {
            if (keep(ep)) builder.Add(ep);
        }
        return new EquatableArray<EndpointInfo>(builder.MoveToImmutable());
    }
}
