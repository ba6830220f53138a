using System.Buffers;
using System.Globalization;
using System.Text;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Selectors;
using KubeProxy.ApiServer.Watching;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.ApiServer.Http;

/// <summary>
/// GET with watch=true: JSON lines {"type":...,"object":...}. Without a resourceVersion (or "0") it starts with the
/// current objects as ADDED; from version N it replays the retained changes after N, or answers like the real server
/// when it cannot: a 200 response with one ERROR event (410 Expired for a compacted version, 504 for a future one).
/// It ends cleanly after timeoutSeconds and sends BOOKMARK events when asked.
/// </summary>
internal static class WatchEndpoint
{
    public static async Task HandleAsync(HttpContext context, ServerState server, ResourceKind kind, ObjectFilter filter, Fault? fault)
    {
        var query = context.Request.Query;
        var rvText = query["resourceVersion"].ToString();
        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        var timeout = int.TryParse(query["timeoutSeconds"], out var t) && t > 0 ? TimeSpan.FromSeconds(t) : (TimeSpan?)null;
        if (server.Options.MaxWatchDuration is { } cap && (timeout is null || timeout > cap)) timeout = cap;

        long asked = 0;
        if (rvText.Length > 0 && !long.TryParse(rvText, NumberStyles.None, CultureInfo.InvariantCulture, out asked))
        {
            await StatusJson.WriteAsync(context, 400, $"invalid resourceVersion '{rvText}'");
            return;
        }

        var subscription = new WatchSubscription(kind, filter);
        var state = server.Cluster[kind];
        lock (server.Cluster.Gate)
        {
            var current = server.Cluster.ResourceVersion;
            if (fault?.Kind == FaultKind.Gone)
            {
                subscription.Fail(StatusJson.Expired($"too old resource version: {rvText} ({state.CompactedThrough + 1})"));
            }
            else if (asked == 0)
            {
                foreach (var obj in state.Objects.Values) subscription.OfferInitial(obj);
                state.Watchers.Add(subscription);
            }
            else if (asked < state.CompactedThrough)
            {
                subscription.Fail(StatusJson.Expired($"too old resource version: {asked} ({state.CompactedThrough + 1})"));
            }
            else if (asked > current)
            {
                subscription.Fail(StatusJson.TooLargeResourceVersion(asked, current));
            }
            else
            {
                foreach (var change in state.EventsAfter(asked)) subscription.Offer(change);
                state.Watchers.Add(subscription);
            }
        }

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server.Stopping);
        if (timeout is { } duration) lifetime.CancelAfter(duration);
        var ct = lifetime.Token;
        Task? bookmarker = null;
        try
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(ct);
            await context.Response.BodyWriter.FlushAsync(ct);
            if (fault?.Kind == FaultKind.HangAfterHeaders)
            {
                await Task.Delay(Timeout.Infinite, ct);
                return;
            }
            if (bookmarks && server.Options.BookmarkInterval is { } interval)
            {
                bookmarker = SendBookmarksAsync(server, subscription, interval, ct);
            }
            await PumpAsync(context, subscription, fault, ct);
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone or server stopping: the response simply ends.
        }
        finally
        {
            lock (server.Cluster.Gate) state.Watchers.Remove(subscription);
            await lifetime.CancelAsync();
            if (bookmarker is not null) await bookmarker.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task PumpAsync(HttpContext context, WatchSubscription subscription, Fault? fault, CancellationToken ct)
    {
        var written = 0;
        var writer = context.Response.BodyWriter;
        if (fault is { Kind: FaultKind.Drop or FaultKind.EndWatch, AfterEvents: 0 })
        {
            Stop(context, fault.Kind);
            return;
        }
        while (await subscription.Frames.WaitToReadAsync(ct))
        {
            while (subscription.Frames.TryRead(out var frame))
            {
                switch (frame.Kind)
                {
                    case WatchFrameKind.Abort:
                        await writer.FlushAsync(ct);
                        context.Abort();
                        return;
                    case WatchFrameKind.End:
                        return;
                }
                writer.Write(Encoding.UTF8.GetBytes(frame.Line!));
                if (frame.Kind == WatchFrameKind.FinalLine) return;
                written++;
                if (fault is { Kind: FaultKind.Drop or FaultKind.EndWatch } && written >= fault.AfterEvents)
                {
                    await writer.FlushAsync(ct);
                    Stop(context, fault.Kind);
                    return;
                }
            }
            await writer.FlushAsync(ct);
        }
    }

    private static void Stop(HttpContext context, FaultKind kind)
    {
        if (kind == FaultKind.Drop) context.Abort();
    }

    private static async Task SendBookmarksAsync(ServerState server, WatchSubscription subscription, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(ct))
        {
            // Under the lock, so every change up to this version is already queued ahead of the bookmark.
            lock (server.Cluster.Gate) subscription.Bookmark(server.Cluster.ResourceVersion);
        }
    }
}
