using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Sync;

/// <summary>
/// Keeps the sync_proxy_rules_no_local_endpoints_total figures up to date by looking only at changed Services:
/// ports with a Local policy whose traffic will be dropped because endpoints exist only elsewhere.
/// </summary>
internal sealed class NoLocalEndpointsCounter
{
    private readonly HashSet<ServicePortName> _internal = [];
    private readonly HashSet<ServicePortName> _external = [];

    public int Internal => _internal.Count;

    public int External => _external.Count;

    public void Update(ProxySnapshot snapshot, bool full)
    {
        IEnumerable<ObjectName> services = full || snapshot.NodeChanged ? snapshot.PortsByService.Keys : snapshot.ChangedServices;
        if (full || snapshot.NodeChanged)
        {
            _internal.Clear();
            _external.Clear();
        }
        else
        {
            _internal.RemoveWhere(n => snapshot.ChangedServices.Contains(n.Service));
            _external.RemoveWhere(n => snapshot.ChangedServices.Contains(n.Service));
        }

        foreach (var service in services)
        {
            foreach (var port in snapshot.PortsOf(service))
            {
                if (!port.HasAnyEndpoints || !port.LocalEndpoints.IsEmpty) continue;
                if (port.Info.InternalPolicyLocal) _internal.Add(port.Name);
                if (port.Info.ExternalPolicyLocal) _external.Add(port.Name);
            }
        }
    }
}
