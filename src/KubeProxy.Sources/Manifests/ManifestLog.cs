using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Manifests;

/// <summary>
/// The manifest source's log lines. Event ids 2100-2199 belong to it and never change meaning, so that operators
/// can filter on them.
/// </summary>
internal static partial class ManifestLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Information,
        Message = "Loaded manifests from {Directory}: {Services} services, {Slices} endpoint slices, node {NodeName} {NodeState}, {Cidrs} service CIDRs")]
    public static partial void Loaded(this ILogger logger, string directory, int services, int slices, string nodeName, string nodeState, int cidrs);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information,
        Message = "Manifest change in {Directory}: {Upserts} objects added or updated, {Deletes} removed")]
    public static partial void Changed(this ILogger logger, string directory, int upserts, int deletes);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning,
        Message = "Skipping invalid {Kind} {Name} in {File} ({Position}): {Reason}")]
    public static partial void InvalidObject(this ILogger logger, string kind, string name, string file, string position, string reason);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning,
        Message = "Cannot parse {File}, keeping its last good content: {Error}")]
    public static partial void ParseFailed(this ILogger logger, string file, string error);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning,
        Message = "{Kind} {Name} in {File} is also defined in {FirstFile}; using the one from {FirstFile}")]
    public static partial void DuplicateObject(this ILogger logger, string kind, string name, string file, string firstFile);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning,
        Message = "Skipping {Kind} {Name} in {File} ({Position}): apiVersion {ApiVersion} is not supported, use {Expected}")]
    public static partial void UnsupportedApiVersion(this ILogger logger, string kind, string name, string file, string position, string apiVersion, string expected);

    [LoggerMessage(EventId = 2114, Level = LogLevel.Warning,
        Message = "Cannot read {File}, keeping its last good content: {Error}")]
    public static partial void ReadFailed(this ILogger logger, string file, string error);

    [LoggerMessage(EventId = 2115, Level = LogLevel.Warning,
        Message = "Cannot list manifest directory {Directory}, keeping the current objects: {Error}")]
    public static partial void DirectoryUnreadable(this ILogger logger, string directory, string error);

    [LoggerMessage(EventId = 2116, Level = LogLevel.Warning,
        Message = "Cannot watch {Directory} for changes, relying on a rescan every {Interval}: {Error}")]
    public static partial void WatcherFailed(this ILogger logger, string directory, TimeSpan interval, string error);

    [LoggerMessage(EventId = 2117, Level = LogLevel.Warning,
        Message = "File watcher error on {Directory}, rescanning every file: {Error}")]
    public static partial void WatcherError(this ILogger logger, string directory, string error);

    [LoggerMessage(EventId = 2118, Level = LogLevel.Warning,
        Message = "Service {Name} in {File} has no clusterIP: nothing allocates one from a manifest directory, so it gets no rules")]
    public static partial void NoClusterIP(this ILogger logger, string name, string file);

    [LoggerMessage(EventId = 2120, Level = LogLevel.Debug,
        Message = "Ignoring {ApiVersion} {Kind} {Name} in {File}: not a kind kube-proxy reads")]
    public static partial void IgnoredKind(this ILogger logger, string apiVersion, string kind, string name, string file);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Debug,
        Message = "Ignoring {Kind} {Name} in {File}: labelled {Label}")]
    public static partial void FilteredByLabel(this ILogger logger, string kind, string name, string file, string label);

    [LoggerMessage(EventId = 2122, Level = LogLevel.Debug,
        Message = "Ignoring {Kind} {Name} in {File}: {Reason}")]
    public static partial void SkippedObject(this ILogger logger, string kind, string name, string file, string reason);

    [LoggerMessage(EventId = 2123, Level = LogLevel.Debug,
        Message = "Ignoring Node {Name} in {File}: this node is {NodeName}")]
    public static partial void OtherNode(this ILogger logger, string name, string file, string nodeName);
}
