using KubeProxy.ApiServer.Resources;

namespace KubeProxy.ApiServer.Http;

internal enum RouteTarget
{
    Resource,
    Events,
    Discovery,
    Unknown,
}

/// <summary>What a request path names: a resource collection or object, the events collection, or a discovery document.</summary>
internal sealed record ApiRoute(RouteTarget Target, ResourceKind? Kind, string? Group, string? Version, string? Namespace, string? Name, string Path)
{
    public string? ResourceName => Target switch
    {
        RouteTarget.Resource => Kind!.Resource,
        RouteTarget.Events => "events",
        _ => null,
    };

    public static ApiRoute Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) return Unknown(path);
        if (segments is ["api"] or ["apis"] or ["version"] or ["api", _] or ["apis", _, _] or ["apis", _])
        {
            return new ApiRoute(RouteTarget.Discovery, null,
                segments[0] == "apis" && segments.Length > 1 ? segments[1] : segments[0] == "api" ? "" : null,
                segments[0] == "api" && segments.Length > 1 ? segments[1] : segments.Length > 2 ? segments[2] : null,
                null, null, path);
        }

        string group, version;
        ArraySegment<string> rest;
        if (segments[0] == "api" && segments.Length >= 3)
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments[0] == "apis" && segments.Length >= 4)
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return Unknown(path);
        }

        string? ns = null;
        if (rest.Count >= 3 && rest[0] == "namespaces")
        {
            ns = rest[1];
            rest = rest[2..];
        }
        if (rest.Count is < 1 or > 2) return Unknown(path);
        var name = rest.Count == 2 ? rest[1] : null;
        if (rest[0] == "events") return new ApiRoute(RouteTarget.Events, null, group, version, ns, name, path);
        var kind = ResourceKind.FromResource(group, version, rest[0]);
        if (kind is null || (ns is not null && !kind.Namespaced)) return Unknown(path);
        return new ApiRoute(RouteTarget.Resource, kind, group, version, ns, name, path);
    }

    private static ApiRoute Unknown(string path) => new(RouteTarget.Unknown, null, null, null, null, null, path);
}
