using System.Net.Sockets;

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
    /// Sockets already bound and listening that the server accepts on as well as its own 127.0.0.1 listener, e.g. one
    /// created inside a lab network namespace so a kube-proxy running there reaches the server on that namespace's
    /// loopback. The server listens on a duplicate of each descriptor; the caller keeps and disposes its socket.
    /// </summary>
    public IList<Socket> ExtraListenSockets { get; } = [];
}
