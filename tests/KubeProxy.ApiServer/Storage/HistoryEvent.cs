namespace KubeProxy.ApiServer.Storage;

internal enum HistoryEventType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>
/// One change in a resource's history. <see cref="Current"/> is the object after the change; for a deletion it is
/// the last state stamped with the deletion's resourceVersion (what the real server sends in a DELETED event).
/// <see cref="Previous"/> lets a filtered watch tell "now matches" from "stopped matching".
/// </summary>
internal sealed record HistoryEvent(long ResourceVersion, HistoryEventType Type, StoredObject? Previous, StoredObject Current);
