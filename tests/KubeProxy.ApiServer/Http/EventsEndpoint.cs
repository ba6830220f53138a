using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>POST of an Event (core v1 or events.k8s.io/v1): recorded for tests and echoed back as created.</summary>
internal static class EventsEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServerState server, ApiRoute route)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || route.Namespace is null)
        {
            await StatusJson.WriteAsync(context, 405, "only POST to a namespaced events collection is served");
            return;
        }
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) as JsonObject;
        }
        catch (JsonException e)
        {
            await StatusJson.WriteAsync(context, 400, "invalid event body: " + e.Message);
            return;
        }
        if (body is null)
        {
            await StatusJson.WriteAsync(context, 400, "an event must be a JSON object");
            return;
        }
        var metadata = body["metadata"] as JsonObject ?? [];
        body["metadata"] = metadata;
        if (metadata["name"] is null)
        {
            metadata["name"] = (metadata["generateName"]?.GetValue<string>() ?? "event.") + Guid.NewGuid().ToString("N")[..8];
        }
        metadata["namespace"] = route.Namespace;
        lock (server.Cluster.Gate)
        {
            metadata["resourceVersion"] = (++server.Cluster.ResourceVersion).ToString(CultureInfo.InvariantCulture);
        }
        server.Events.Enqueue(body);
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
