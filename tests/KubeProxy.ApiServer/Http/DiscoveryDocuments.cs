using System.Text.Json.Nodes;
using KubeProxy.ApiServer.Resources;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>The discovery documents (/version, /api, /apis, /api/v1, /apis/GROUP/VERSION) for the enabled resources.</summary>
internal static class DiscoveryDocuments
{
    public static async Task WriteAsync(HttpContext context, ApiRoute route, IReadOnlyCollection<ResourceKind> enabled)
    {
        JsonObject? document = route.Path.Trim('/') switch
        {
            "version" => new JsonObject
            {
                ["major"] = "1",
                ["minor"] = "33",
                ["gitVersion"] = "v1.33.0-fake",
                ["platform"] = "linux/amd64",
            },
            "api" => new JsonObject
            {
                ["kind"] = "APIVersions",
                ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(),
            },
            "apis" => GroupList(enabled),
            _ => ResourceList(route, enabled),
        };
        if (document is null)
        {
            await StatusJson.WriteAsync(context, 404, "the server could not find the requested resource");
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(document.ToJsonString(), context.RequestAborted);
    }

    private static JsonObject GroupList(IReadOnlyCollection<ResourceKind> enabled)
    {
        var groups = new JsonArray();
        foreach (var (group, version) in enabled.Where(k => k.Group.Length > 0).Select(k => (k.Group, k.Version))
            .Append(("events.k8s.io", "v1")).Distinct())
        {
            var gv = new JsonObject { ["groupVersion"] = group + "/" + version, ["version"] = version };
            groups.Add(new JsonObject
            {
                ["name"] = group,
                ["versions"] = new JsonArray(gv),
                ["preferredVersion"] = gv.DeepClone(),
            });
        }
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    private static JsonObject? ResourceList(ApiRoute route, IReadOnlyCollection<ResourceKind> enabled)
    {
        if (route.Group is null || route.Version is null) return null;
        var resources = new JsonArray();
        foreach (var kind in enabled.Where(k => k.Group == route.Group && k.Version == route.Version))
        {
            resources.Add(new JsonObject
            {
                ["name"] = kind.Resource,
                ["singularName"] = kind.Kind.ToLowerInvariant(),
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray("get", "list", "watch"),
            });
        }
        if (route.Group == "events.k8s.io" || (route.Group == "" && route.Version == "v1"))
        {
            resources.Add(new JsonObject
            {
                ["name"] = "events",
                ["singularName"] = "event",
                ["namespaced"] = true,
                ["kind"] = "Event",
                ["verbs"] = new JsonArray("create", "patch"),
            });
        }
        if (resources.Count == 0) return null;
        var groupVersion = route.Group.Length == 0 ? route.Version : route.Group + "/" + route.Version;
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = groupVersion,
            ["resources"] = resources,
        };
    }
}
