using System.Collections.Immutable;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Selectors;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>
/// Every request goes through here: it is recorded, authenticated, routed, meets the armed faults, then is served.
/// </summary>
internal sealed class ApiRequestHandler(ServerState server)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var route = ApiRoute.Parse(request.Path.Value ?? "/");
        var query = request.Query.ToImmutableDictionary(kv => kv.Key, kv => kv.Value.ToString());
        var verb = VerbOf(request.Method, route, query);
        var authorized = server.BearerToken is null ||
            request.Headers.Authorization.ToString() == "Bearer " + server.BearerToken;
        server.Requests.Enqueue(new RecordedRequest(DateTimeOffset.UtcNow, request.Method, route.Path, route.ResourceName, verb, query, authorized));

        if (!authorized)
        {
            await StatusJson.WriteAsync(context, 401, "Unauthorized");
            return;
        }

        var fault = server.Faults.Take(route.ResourceName, verb, query.ContainsKey("continue"));
        if (fault is not null && await ApplyEarlyFaultAsync(context, fault)) return;

        switch (route.Target)
        {
            case RouteTarget.Discovery:
                await DiscoveryDocuments.WriteAsync(context, route, EnabledKinds());
                return;
            case RouteTarget.Events:
                await EventsEndpoint.HandleAsync(context, server, route);
                return;
            case RouteTarget.Resource when IsEnabled(route.Kind!):
                await ServeResourceAsync(context, route, verb, fault);
                return;
            default:
                await StatusJson.WriteAsync(context, 404, "the server could not find the requested resource");
                return;
        }
    }

    private async Task ServeResourceAsync(HttpContext context, ApiRoute route, ApiVerb verb, Fault? fault)
    {
        var kind = route.Kind!;
        if (verb == ApiVerb.Get)
        {
            await GetAsync(context, kind, route);
            return;
        }
        if (verb is not (ApiVerb.List or ApiVerb.Watch))
        {
            await StatusJson.WriteAsync(context, 405, $"the fake server serves only get, list and watch on {kind.Resource}");
            return;
        }
        ObjectFilter filter;
        try
        {
            filter = new ObjectFilter(route.Namespace,
                LabelSelector.Parse(context.Request.Query["labelSelector"]),
                FieldSelector.Parse(context.Request.Query["fieldSelector"]));
        }
        catch (FormatException e)
        {
            await StatusJson.WriteAsync(context, 400, "unable to parse requirement: " + e.Message);
            return;
        }
        if (verb == ApiVerb.Watch) await WatchEndpoint.HandleAsync(context, server, kind, filter, fault);
        else await ListEndpoint.HandleAsync(context, server, kind, filter, fault);
    }

    private async Task GetAsync(HttpContext context, ResourceKind kind, ApiRoute route)
    {
        string? json;
        lock (server.Cluster.Gate)
        {
            var key = kind.Namespaced ? route.Namespace + "/" + route.Name : route.Name!;
            json = server.Cluster[kind].Objects.TryGetValue(key, out var obj) ? obj.Json : null;
        }
        if (json is null)
        {
            await StatusJson.WriteAsync(context, 404, $"{kind.Resource} \"{route.Name}\" not found");
            return;
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Faults that replace the whole answer. Returns false for those the list/watch code applies itself.</summary>
    private async Task<bool> ApplyEarlyFaultAsync(HttpContext context, Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.CloseOnConnect:
                context.Abort();
                return true;
            case FaultKind.Hang:
                using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, hang.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        context.Abort();
                    }
                }
                return true;
            case FaultKind.Status:
                await StatusJson.WriteAsync(context, fault.StatusCode, $"injected failure {fault.StatusCode}");
                return true;
            default:
                return false;
        }
    }

    private bool IsEnabled(ResourceKind kind)
    {
        lock (server.Cluster.Gate) return server.Cluster[kind].Enabled;
    }

    private List<ResourceKind> EnabledKinds()
    {
        lock (server.Cluster.Gate) return [.. ResourceKind.All.Where(k => server.Cluster[k].Enabled)];
    }

    private static ApiVerb VerbOf(string method, ApiRoute route, IReadOnlyDictionary<string, string> query)
    {
        if (route.Target == RouteTarget.Discovery) return ApiVerb.Discovery;
        if (HttpMethods.IsPost(method)) return ApiVerb.Create;
        if (!HttpMethods.IsGet(method)) return ApiVerb.Other;
        if (query.GetValueOrDefault("watch") is "true" or "1") return ApiVerb.Watch;
        return route.Name is null ? ApiVerb.List : ApiVerb.Get;
    }
}
