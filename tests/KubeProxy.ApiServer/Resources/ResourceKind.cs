using k8s;
using k8s.Models;

namespace KubeProxy.ApiServer.Resources;

/// <summary>One API resource the fake server serves: its URL segment, group/version and kind names.</summary>
public sealed class ResourceKind
{
    public static readonly ResourceKind Services = new("services", "", "v1", "Service", namespaced: true);

    public static readonly ResourceKind EndpointSlices = new("endpointslices", "discovery.k8s.io", "v1", "EndpointSlice", namespaced: true);

    public static readonly ResourceKind Nodes = new("nodes", "", "v1", "Node", namespaced: false);

    public static readonly ResourceKind ServiceCidrs = new("servicecidrs", "networking.k8s.io", "v1", "ServiceCIDR", namespaced: false);

    public static IReadOnlyList<ResourceKind> All { get; } = [Services, EndpointSlices, Nodes, ServiceCidrs];

    private ResourceKind(string resource, string group, string version, string kind, bool namespaced)
    {
        Resource = resource;
        Group = group;
        Version = version;
        Kind = kind;
        Namespaced = namespaced;
    }

    /// <summary>The plural URL segment, e.g. <c>services</c>.</summary>
    public string Resource { get; }

    public string Group { get; }

    public string Version { get; }

    public string Kind { get; }

    public string ListKind => Kind + "List";

    public bool Namespaced { get; }

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary><c>/api/v1</c> or <c>/apis/group/version</c>.</summary>
    public string GroupVersionPath => Group.Length == 0 ? "/api/" + Version : "/apis/" + Group + "/" + Version;

    public static ResourceKind? FromResource(string group, string version, string resource) =>
        All.FirstOrDefault(k => k.Group == group && k.Version == version && k.Resource == resource);

    /// <summary>The kind an object belongs to, by CLR type (tests often leave <c>kind</c> unset).</summary>
    public static ResourceKind For(IKubernetesObject<V1ObjectMeta> obj) => obj switch
    {
        V1Service => Services,
        V1EndpointSlice => EndpointSlices,
        V1Node => Nodes,
        V1ServiceCIDR => ServiceCidrs,
        _ => All.FirstOrDefault(k => k.Kind == obj.Kind)
            ?? throw new ArgumentException($"the fake API server does not serve kind {obj.Kind ?? obj.GetType().Name}"),
    };

    public override string ToString() => Resource;
}
