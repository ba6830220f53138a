using System.Threading.Channels;
using KubeProxy.ApiServer.Resources;
using KubeProxy.ApiServer.Selectors;
using KubeProxy.ApiServer.Storage;

namespace KubeProxy.ApiServer.Watching;

/// <summary>
/// One open watch: the events it still has to write, already filtered the way the real watch cache filters them
/// (an object that stops matching the selectors is DELETED for this watcher, one that starts matching is ADDED).
/// Frames are queued under the store's lock, so their order is the resourceVersion order.
/// </summary>
internal sealed class WatchSubscription(ResourceKind kind, ObjectFilter filter)
{
    private readonly Channel<WatchFrame> _frames = Channel.CreateUnbounded<WatchFrame>(
        new UnboundedChannelOptions { SingleReader = true });

    public ResourceKind Kind { get; } = kind;

    public ChannelReader<WatchFrame> Frames => _frames.Reader;

    /// <summary>Queues what this watcher sees of one change, if anything.</summary>
    public void Offer(HistoryEvent change)
    {
        var wasVisible = change.Previous is not null && filter.Matches(change.Previous);
        var isVisible = change.Type != HistoryEventType.Deleted && filter.Matches(change.Current);
        var type = (wasVisible, isVisible) switch
        {
            (true, true) => "MODIFIED",
            (false, true) => "ADDED",
            (true, false) => "DELETED",
            _ => null,
        };
        if (type is not null) _frames.Writer.TryWrite(WatchFrame.Event(type, change.Current.Json));
    }

    public void OfferInitial(StoredObject obj)
    {
        if (filter.Matches(obj)) _frames.Writer.TryWrite(WatchFrame.Event("ADDED", obj.Json));
    }

    public void Bookmark(long resourceVersion) =>
        _frames.Writer.TryWrite(WatchFrame.Event("BOOKMARK",
            "{\"kind\":\"" + Kind.Kind + "\",\"apiVersion\":\"" + Kind.ApiVersion +
            "\",\"metadata\":{\"resourceVersion\":\"" + resourceVersion + "\"}}"));

    public void Fail(string statusJson)
    {
        _frames.Writer.TryWrite(new WatchFrame(WatchFrameKind.FinalLine, "{\"type\":\"ERROR\",\"object\":" + statusJson + "}\n"));
        _frames.Writer.TryComplete();
    }

    public void End()
    {
        _frames.Writer.TryWrite(WatchFrame.End);
        _frames.Writer.TryComplete();
    }

    public void Abort()
    {
        _frames.Writer.TryWrite(WatchFrame.Abort);
        _frames.Writer.TryComplete();
    }
}
