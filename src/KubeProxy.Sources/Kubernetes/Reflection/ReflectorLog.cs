using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Kubernetes.Reflection;

internal static partial class ReflectorLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Initial list of {Resource} complete: {Count} objects at resourceVersion {ResourceVersion}")]
    public static partial void Synced(this ILogger logger, string resource, int count, string? resourceVersion);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning,
        Message = "Failed to list {Resource}: {Reason}; retrying in {Delay}")]
    public static partial void ListFailed(this ILogger logger, string resource, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning,
        Message = "Watch of {Resource} failed: {Reason}; resuming from resourceVersion {ResourceVersion} in {Delay}")]
    public static partial void WatchFailed(this ILogger logger, string resource, string reason, string? resourceVersion, TimeSpan delay);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Watch of {Resource} from resourceVersion {ResourceVersion} expired ({Reason}); relisting")]
    public static partial void WatchExpired(this ILogger logger, string resource, string? resourceVersion, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "Watch of {Resource} returned an error ({Reason}); relisting in {Delay}")]
    public static partial void WatchError(this ILogger logger, string resource, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "Relisted {Resource} at resourceVersion {ResourceVersion}: {Upserts} changed, {Deletes} removed")]
    public static partial void Relisted(this ILogger logger, string resource, string? resourceVersion, int upserts, int deletes);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Ignoring {Resource} {Name}: {Reason}")]
    public static partial void InvalidObject(this ILogger logger, string resource, string name, string reason);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information,
        Message = "The API server does not serve {Resource} (404); not watching it")]
    public static partial void NotServed(this ILogger logger, string resource);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information,
        Message = "Continue token for {Resource} expired mid-list; listing again without pages")]
    public static partial void ContinueExpired(this ILogger logger, string resource);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug,
        Message = "Watch of {Resource} ended after {Events} events; resuming from resourceVersion {ResourceVersion}")]
    public static partial void WatchClosed(this ILogger logger, string resource, int events, string? resourceVersion);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Resync of {Resource}: relisting")]
    public static partial void Resync(this ILogger logger, string resource);
}
