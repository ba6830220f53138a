using System.Collections.Immutable;

namespace KubeProxy.ApiServer.Storage;

/// <summary>
/// One stored object: its identity and labels (for selectors) and its wire JSON, already carrying
/// <c>kind</c>, <c>apiVersion</c> and <c>metadata.resourceVersion</c>, so serving it costs nothing.
/// </summary>
internal sealed record StoredObject(
    string Key,
    string? Namespace,
    string Name,
    ImmutableDictionary<string, string> Labels,
    long ResourceVersion,
    string Uid,
    string Json);
