using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;

namespace KubeProxy.Sources.Manifests;

public sealed partial class ManifestSource
{
    // What the sink has been told so far.
    private readonly Dictionary<ObjectName, Service> _sentServices = [];
    private readonly Dictionary<ObjectName, EndpointSlice> _sentSlices = [];
    private Node? _sentNode;
    private List<ServiceCidr> _sentCidrs = [];

    /// <summary>Duplicates already warned about, so one is reported once and not on every rescan.</summary>
    private HashSet<string> _reportedDuplicates = new(StringComparer.Ordinal);

    /// <summary>Reads what changed and tells the sink the differences. The first call tells it everything.</summary>
    private void Synchronise(IProxyEventSink sink, bool initial)
    {
        var readAll = initial || _watcherSawChange;
        _watcherSawChange = false;
        if (!RefreshFiles(readAll) && !initial) return;

        var desired = BuildDesiredSet();
        var (upserts, deletes) = Emit(sink, desired, initial);
        if (initial)
        {
            _logger.Loaded(_directory, _sentServices.Count, _sentSlices.Count, _nodeName,
                _sentNode is null ? "not found" : "found", _sentCidrs.Count);
        }
        else if (upserts + deletes > 0)
        {
            _logger.Changed(_directory, upserts, deletes);
        }
    }

    /// <summary>All files' objects, the first definition (files in ordinal path order) winning over later ones.</summary>
    private Dictionary<(ManifestKind, string), ManifestObject> BuildDesiredSet()
    {
        var desired = new Dictionary<(ManifestKind, string), ManifestObject>();
        var owners = new Dictionary<(ManifestKind, string), string>();
        var duplicates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, file) in _files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            foreach (var obj in file.Objects)
            {
                var key = (obj.Kind, obj.Key);
                if (owners.TryGetValue(key, out var first))
                {
                    var id = $"{obj.Kind} {obj.Key} {path}";
                    duplicates.Add(id);
                    if (!_reportedDuplicates.Contains(id)) _logger.DuplicateObject(obj.Kind.ToString(), obj.Key, path, first);
                    continue;
                }
                owners[key] = path;
                desired[key] = obj;
            }
        }
        _reportedDuplicates = duplicates;
        return desired;
    }

    private (int Upserts, int Deletes) Emit(IProxyEventSink sink, Dictionary<(ManifestKind, string), ManifestObject> desired, bool initial)
    {
        var upserts = 0;
        var deletes = 0;

        // The node first: trackers need its zone and addresses before they see services.
        var node = desired.TryGetValue((ManifestKind.Node, _nodeName), out var n) ? (Node)n.Value : null;
        if (node is not null && !node.Equals(_sentNode))
        {
            sink.OnNodeUpsert(node);
            upserts++;
        }
        else if (node is null && _sentNode is not null)
        {
            sink.OnNodeDelete(_sentNode.Name);
            deletes++;
        }
        _sentNode = node;

        var cidrs = desired.Values.Where(o => o.Kind == ManifestKind.ServiceCIDR)
            .Select(o => (ServiceCidr)o.Value)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        if (initial || !cidrs.SequenceEqual(_sentCidrs))
        {
            sink.OnServiceCidrsChanged(cidrs);
            if (!initial) upserts++;
            _sentCidrs = cidrs;
        }

        var services = Select<Service>(desired, ManifestKind.Service, s => s.Name);
        var slices = Select<EndpointSlice>(desired, ManifestKind.EndpointSlice, s => s.Name);
        upserts += Upsert(services, _sentServices, sink.OnServiceUpsert);
        upserts += Upsert(slices, _sentSlices, sink.OnEndpointSliceUpsert);
        // Slices go before their Services so that a Service is never briefly seen with stale endpoints.
        deletes += Delete(slices, _sentSlices, sink.OnEndpointSliceDelete);
        deletes += Delete(services, _sentServices, sink.OnServiceDelete);
        return (upserts, deletes);
    }

    private static Dictionary<ObjectName, T> Select<T>(
        Dictionary<(ManifestKind, string), ManifestObject> desired, ManifestKind kind, Func<T, ObjectName> name) =>
        desired.Values.Where(o => o.Kind == kind).Select(o => (T)o.Value).ToDictionary(name);

    private static int Upsert<T>(Dictionary<ObjectName, T> desired, Dictionary<ObjectName, T> sent, Action<T> upsert)
        where T : class
    {
        var count = 0;
        foreach (var (name, value) in desired.OrderBy(d => d.Key))
        {
            if (sent.TryGetValue(name, out var old) && old.Equals(value)) continue;
            upsert(value);
            sent[name] = value;
            count++;
        }
        return count;
    }

    private static int Delete<T>(Dictionary<ObjectName, T> desired, Dictionary<ObjectName, T> sent, Action<ObjectName> delete)
    {
        var gone = sent.Keys.Where(k => !desired.ContainsKey(k)).Order().ToList();
        foreach (var name in gone)
        {
            delete(name);
            sent.Remove(name);
        }
        return gone.Count;
    }
}
