using System.Collections.Immutable;
using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Selection;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Tracking;

/// <summary>
/// Turns one family's pending changes into the next <see cref="ProxySnapshot"/>. Only Services named in the pending
/// set are recomputed; the rest of the previous snapshot is shared structurally. A node change (labels, IPs,
/// podCIDRs) recomputes every Service because topology and locality may change for all of them.
/// </summary>
public sealed class SnapshotBuilder
{
    private readonly IPFamily _family;
    private readonly string _nodeName;
    private readonly bool _preferSameNode;
    private ProxySnapshot _current;

    public SnapshotBuilder(IPFamily family, string nodeName, bool preferSameNodeEnabled = true)
    {
        _family = family;
        _nodeName = nodeName;
        _preferSameNode = preferSameNodeEnabled;
        _current = ProxySnapshot.Empty(family, nodeName);
    }

    public ProxySnapshot Current => _current;

    /// <summary>Called for endpoints whose address is of the wrong family (upstream emits KubeProxyIncorrectIPVersion).</summary>
    public Action<EndpointSlice, Endpoint>? OnWrongFamilyEndpoint { get; set; }

    public ProxySnapshot Build(ClusterState state)
    {
        var pending = state.PendingFor(_family);
        var node = BuildNodeView(state.Node);
        var cidrs = state.ServiceCidrs.SelectMany(c => c.Cidrs).Where(c => c.Family() == _family).ToEquatableArray();
        var nodeChanged = !node.Equals(_current.Node) || cidrs != _current.ServiceCidrs;

        // Endpoint locality and topology depend on the node: recompute everything when it changes.
        IEnumerable<ObjectName> touched = nodeChanged
            ? state.Services.Select(s => s.Name).Concat(_current.PortsByService.Keys).Concat(pending.Endpoints).Distinct()
            : pending.Services.Concat(pending.Endpoints).Distinct();

        var ports = _current.ServicePorts.ToBuilder();
        var byService = _current.PortsByService.ToBuilder();
        var changed = ImmutableHashSet.CreateBuilder<ObjectName>();
        var changedEndpoints = ImmutableHashSet.CreateBuilder<ObjectName>();

        foreach (var name in touched)
        {
            var newPorts = ComputeService(state, name, node);
            var oldNames = byService.TryGetValue(name, out var existing) ? existing : ImmutableArray<ServicePortName>.Empty;

            var same = oldNames.Length == newPorts.Count;
            var endpointsSame = same;
            if (same)
            {
                foreach (var p in newPorts)
                {
                    if (!ports.TryGetValue(p.Name, out var old)) { same = endpointsSame = false; break; }
                    if (!old.Equals(p)) same = false;
                    if (old.AllEndpoints != p.AllEndpoints) endpointsSame = false;
                }
            }
            if (same) continue;

            changed.Add(name);
            if (!endpointsSame) changedEndpoints.Add(name);
            foreach (var old in oldNames) ports.Remove(old);
            if (newPorts.Count == 0)
            {
                byService.Remove(name);
                continue;
            }
            foreach (var p in newPorts) ports[p.Name] = p;
            byService[name] = newPorts.Select(p => p.Name).ToImmutableArray();
        }

        var triggers = pending.TriggerTimes.Count == 0
            ? ImmutableDictionary<ObjectName, DateTimeOffset>.Empty
            : pending.TriggerTimes.Where(kv => changed.Contains(kv.Key)).ToImmutableDictionary();
        pending.Clear();

        _current = new ProxySnapshot
        {
            Family = _family,
            Generation = _current.Generation + 1,
            ServicePorts = ports.ToImmutable(),
            PortsByService = byService.ToImmutable(),
            Node = node,
            ServiceCidrs = cidrs,
            ChangedServices = changed.ToImmutable(),
            ChangedEndpoints = changedEndpoints.ToImmutable(),
            NodeChanged = nodeChanged,
            LastChangeTriggerTimes = triggers,
        };
        return _current;
    }

    private List<ServicePortState> ComputeService(ClusterState state, ObjectName name, NodeView node)
    {
        var service = state.GetService(name);
        if (service is null) return [];
        var infos = ServicePortInfoFactory.Create(service, _family);
        if (infos.Count == 0) return [];

        var merged = EndpointMerger.Merge(name, state.SlicesOf(name), _family, _nodeName, OnWrongFamilyEndpoint);
        var result = new List<ServicePortState>(infos.Count);
        foreach (var info in infos)
        {
            var endpoints = merged.TryGetValue(info.Name, out var list) ? list.ToEquatableArray() : EquatableArray<EndpointInfo>.Empty;
            var sets = EndpointCategorizer.Categorize(info, endpoints, _nodeName, node.Zone, _preferSameNode);
            result.Add(new ServicePortState(info, endpoints, sets.Cluster, sets.Local, sets.AllReachable, sets.HasAnyEndpoints));
        }
        return result;
    }

    private NodeView BuildNodeView(Node? node)
    {
        if (node is null) return new NodeView { Name = _nodeName };
        return new NodeView
        {
            Name = _nodeName,
            Exists = true,
            IPs = node.Addresses.Where(a => a.Family() == _family).ToEquatableArray(),
            PodCIDRs = node.PodCIDRs.Where(c => c.Family() == _family).ToEquatableArray(),
            Zone = node.Zone,
            Labels = node.Labels,
        };
    }

    /// <summary>The primary node IP of this family, if the node has one.</summary>
    public IPAddress? PrimaryNodeIP => _current.Node.PrimaryIP;
}
