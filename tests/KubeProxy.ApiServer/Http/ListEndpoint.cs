using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Selectors;
using KubeProxy.ApiServer.Storage;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>
/// GET on a collection: a consistent snapshot, filtered, paged with limit/continue (continue tokens pin the snapshot
/// until it is evicted or compacted, then answer 410 Expired), with the snapshot's resourceVersion in list metadata.
/// </summary>
internal static class ListEndpoint
{
    /// <summary>The snapshot a list reads, or the error that replaces it.</summary>
    private sealed record Source(ImmutableSortedDictionary<string, StoredObject>? Snapshot, long Version, string Start, int ErrorCode = 0, string? ErrorJson = null)
    {
        public static Source Error(int code, string message, string? reason = null) =>
            new(null, 0, "", code, StatusJson.Failure(code, message, reason));
    }

    public static async Task HandleAsync(HttpContext context, ServerState server, ResourceKind kind, ObjectFilter filter, Fault? fault)
    {
        if (fault?.Kind == FaultKind.Gone)
        {
            await StatusJson.WriteAsync(context, 410, "too old resource version (injected)", "Expired");
            return;
        }
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], out var l) && l > 0 ? l : 0;
        var source = Resolve(server, kind, query["continue"].ToString(), query["resourceVersion"].ToString(),
            query["resourceVersionMatch"].ToString());
        if (source.Snapshot is null)
        {
            context.Response.StatusCode = source.ErrorCode;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(source.ErrorJson!, context.RequestAborted);
            return;
        }

        var items = new List<StoredObject>(limit > 0 ? limit : source.Snapshot.Count);
        var more = false;
        foreach (var (key, obj) in source.Snapshot)
        {
            if (string.CompareOrdinal(key, source.Start) < 0 || !filter.Matches(obj)) continue;
            if (limit > 0 && items.Count == limit)
            {
                more = true;
                break;
            }
            items.Add(obj);
        }

        string? next = null;
        if (more)
        {
            lock (server.Cluster.Gate) server.Cluster[kind].PinSnapshot(source.Version, source.Snapshot);
            next = new ContinueToken(source.Version, items[^1].Key + "\0").Encode();
        }

        var bytes = Encoding.UTF8.GetBytes(Render(kind, source.Version, next, items));
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        if (fault?.Kind == FaultKind.Drop)
        {
            // Half a body, then the connection goes: the client must not take a truncated list for a complete one.
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            context.Abort();
            return;
        }
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static Source Resolve(ServerState server, ResourceKind kind, string continueText, string rvText, string match)
    {
        lock (server.Cluster.Gate)
        {
            var state = server.Cluster[kind];
            var current = server.Cluster.ResourceVersion;
            if (continueText.Length > 0)
            {
                if (rvText.Length > 0) return Source.Error(400, "specifying resource version is not allowed when using continue");
                if (!ContinueToken.TryDecode(continueText, out var token)) return Source.Error(400, "invalid continue token");
                return state.TryGetSnapshot(token.ResourceVersion, out var pinned)
                    ? new Source(pinned, token.ResourceVersion, token.Start)
                    : Source.Error(410, "the provided continue parameter is too old to display a consistent list result: " +
                        "start a new list without the continue parameter", "Expired");
            }
            if (rvText.Length == 0 || rvText == "0") return new Source(state.Objects, current, "");
            if (!long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out var asked))
            {
                return Source.Error(400, $"invalid resourceVersion '{rvText}'");
            }
            if (asked > current)
            {
                return new Source(null, 0, "", 504, StatusJson.TooLargeResourceVersion(asked, current));
            }
            if (match == "Exact" && asked != current)
            {
                return state.TryGetSnapshot(asked, out var exact)
                    ? new Source(exact, asked, "")
                    : Source.Error(410, $"too old resource version: {asked} ({current})", "Expired");
            }
            // NotOlderThan (or no match given): the current state is never older than what was asked for.
            return new Source(state.Objects, current, "");
        }
    }

    private static string Render(ResourceKind kind, long version, string? next, List<StoredObject> items)
    {
        var body = new StringBuilder(256 + (items.Sum(i => i.Json.Length) + items.Count));
        body.Append("{\"kind\":\"").Append(kind.ListKind).Append("\",\"apiVersion\":\"").Append(kind.ApiVersion)
            .Append("\",\"metadata\":{\"resourceVersion\":\"").Append(version.ToString(CultureInfo.InvariantCulture)).Append('"');
        if (next is not null) body.Append(",\"continue\":\"").Append(next).Append('"');
        body.Append("},\"items\":[");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) body.Append(',');
            body.Append(items[i].Json);
        }
        return body.Append("]}").ToString();
    }
}
