using KubeProxy.Core.Model;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Core.Sync;

/// <summary>The engine's log lines, with stable event ids.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(1001, LogLevel.Debug, "Not syncing {Family} rules until Services and EndpointSlices have been listed")]
    public static partial void WaitingForSources(ILogger logger, string family);

    [LoggerMessage(1002, LogLevel.Information,
        "Synced {Family} rules ({Kind}): {Changed} changed Services of {Total}, render {RenderMs:F1} ms, apply {ApplyMs:F1} ms, {Bytes} bytes")]
    public static partial void Synced(ILogger logger, string family, string kind, int changed, int total, double renderMs, double applyMs, long bytes);

    [LoggerMessage(1003, LogLevel.Error, "Sync of {Family} rules failed; the next sync will be full")]
    public static partial void SyncFailed(ILogger logger, Exception exception, string family);

    [LoggerMessage(1004, LogLevel.Warning, "Post-sync step {Hook} failed for {Family}")]
    public static partial void HookFailed(ILogger logger, Exception exception, string hook, string family);

    [LoggerMessage(1005, LogLevel.Information, "Node {Node} labels changed; forcing a full sync")]
    public static partial void NodeLabelsChanged(ILogger logger, string node);

    [LoggerMessage(1006, LogLevel.Warning,
        "EndpointSlice {Slice} has an endpoint {Address} of the wrong IP family for its {Family} address type; ignoring it")]
    public static partial void WrongFamilyEndpoint(ILogger logger, ObjectName slice, string address, string family);

    [LoggerMessage(1007, LogLevel.Debug, "Sources synced: services={Services} endpointslices={Slices}")]
    public static partial void SourcesSynced(ILogger logger, bool services, bool slices);

    [LoggerMessage(1008, LogLevel.Debug, "Ignoring Node {Node}: this proxy runs on {Self}")]
    public static partial void OtherNode(ILogger logger, string node, string self);
}
