using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// The lookup tables one cleanup run uses, built once from a snapshot: for each UDP or SCTP service address:port
/// and node port, the set of serving endpoint IPs replies may come from. A flow whose original destination is such
/// a key and whose reply source is outside the set is stale: it was DNATed to an endpoint that no longer serves
/// (removed, not serving, service scaled to zero), or never DNATed at all (sent before any endpoint existed).
/// Traffic policies, topology and terminating state are deliberately ignored, as upstream does: a change to the
/// Service must not cut flows that still reach a serving endpoint.
/// </summary>
internal sealed class StaleFlowMatcher
{
    private static readonly HashSet<NetAddress> NoEndpoints = [];

    private readonly Dictionary<ServiceFlowKey, HashSet<NetAddress>> _byServiceAddress = [];
    private readonly Dictionary<ServiceFlowKey, HashSet<NetAddress>> _byNodePort = [];
    private FlowTable? _table;

    private StaleFlowMatcher()
    {
    }

    public int KeyCount => _byServiceAddress.Count + _byNodePort.Count;

    public IEnumerable<ServiceFlowKey> Keys => _byServiceAddress.Keys.Concat(_byNodePort.Keys);

    /// <summary>Whether any key uses this protocol (no key, no dump).</summary>
    public bool Uses(byte protocol) => Keys.Any(k => k.Protocol == protocol);

    public static StaleFlowMatcher Build(ProxySnapshot snapshot)
    {
        var matcher = new StaleFlowMatcher();
        foreach (var state in snapshot.ServicePorts.Values)
        {
            var info = state.Info;
            if (!IsDatagram(info.Protocol)) continue;
            var protocol = IPProtocolNumber.Of(info.Protocol);
            var serving = new HashSet<NetAddress>();
            foreach (var endpoint in state.AllEndpoints)
            {
                if (endpoint.Serving) serving.Add(NetAddress.FromIPAddress(endpoint.IP));
            }
            if (IsRoutable(info.ClusterIP)) matcher.Add(ServiceFlowKey.Service(NetAddress.FromIPAddress(info.ClusterIP), info.Port, protocol), serving);
            foreach (var ip in info.ExternalIPs) matcher.Add(ServiceFlowKey.Service(NetAddress.FromIPAddress(ip), info.Port, protocol), serving);
            foreach (var ip in info.LoadBalancerVIPs) matcher.Add(ServiceFlowKey.Service(NetAddress.FromIPAddress(ip), info.Port, protocol), serving);
            if (info.NodePort != 0) matcher.Add(ServiceFlowKey.NodePort(info.NodePort, protocol), serving);
        }
        return matcher;
    }

    /// <summary>Adds keys of service ports that no longer exist: every flow to them is stale. Current keys win.</summary>
    public void Retire(IEnumerable<ServiceFlowKey> keys)
    {
        _table = null;
        foreach (var key in keys)
        {
            var table = key.IsNodePort ? _byNodePort : _byServiceAddress;
            table.TryAdd(key, NoEndpoints);
        }
    }

    public static bool IsDatagram(Protocol protocol) => protocol is Protocol.UDP or Protocol.SCTP;

    /// <summary>Builds the lookup layout once the keys are final; <see cref="IsStale"/> needs it.</summary>
    public void Seal() => _table = new FlowTable([.. _byServiceAddress, .. _byNodePort]);

    public bool IsStale(in ConntrackEntry entry)
    {
        var table = _table ?? throw new InvalidOperationException("Seal() the matcher before matching");
        var destination = entry.Original.Destination;
        var replySource = entry.Reply.Source;
        var tag = ServiceFlowKey.TagOf(entry.Original.DestinationPort, entry.Protocol, destination.IsIPv6);
        if (table.TryMatch(destination.High, destination.Low, tag, replySource, out var allowed) && !allowed) return true;
        // Node ports match on any destination address: the key has no address and no family bit.
        return table.HasNodePorts
            && table.TryMatch(0, 0, ServiceFlowKey.TagOf(entry.Original.DestinationPort, entry.Protocol, false) | ServiceFlowKey.NodePortBit, replySource, out allowed)
            && !allowed;
    }

    private void Add(ServiceFlowKey key, HashSet<NetAddress> serving)
    {
        _table = null;
        var table = key.IsNodePort ? _byNodePort : _byServiceAddress;
        if (table.TryGetValue(key, out var existing))
        {
            // Two service ports claiming one key is invalid input; keep flows to either's endpoints (delete less, not more).
            table[key] = [.. existing, .. serving];
            return;
        }
        table[key] = serving;
    }

    private static bool IsRoutable(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.None);
}
