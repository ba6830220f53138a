namespace KubeProxy.ApiServer;

public sealed class FakeApiServerOptions
{
    /// <summary>When set, every request must carry <c>Authorization: Bearer TOKEN</c> or gets 401.</summary>
    public string? BearerToken { get; set; }

    /// <summary>How often a watch that asked for bookmarks gets one; null sends none. The real server sends about one a minute.</summary>
    public TimeSpan? BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Changes kept per resource for watch replay; a watch from an older version gets 410 Expired.</summary>
    public int HistoryLimit { get; set; } = 100_000;

    /// <summary>The resourceVersion the server starts counting from.</summary>
    public long InitialResourceVersion { get; set; } = 100;

    /// <summary>Caps how long a watch stays open whatever timeoutSeconds asked for; null: no cap.</summary>
    public TimeSpan? MaxWatchDuration { get; set; }

    /// <summary>
    /// File descriptors of extra listening TCP sockets to serve on besides the loopback port, e.g. sockets made
    /// inside lab network namespaces so a kube-proxy there reaches this server on its own 127.0.0.1. Kestrel takes
    /// ownership of each descriptor and closes it when the server stops.
    /// </summary>
    public IList<ulong> ListenHandles { get; } = [];
}
