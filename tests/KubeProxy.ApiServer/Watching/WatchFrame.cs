namespace KubeProxy.ApiServer.Watching;

internal enum WatchFrameKind
{
    /// <summary>A JSON line to write.</summary>
    Line,

    /// <summary>Write this last line (usually an ERROR event) and end the response cleanly.</summary>
    FinalLine,

    /// <summary>End the response cleanly.</summary>
    End,

    /// <summary>Abort the connection (what a crash or a network cut looks like to the client).</summary>
    Abort,
}

/// <summary>One item queued for a watch response.</summary>
internal readonly record struct WatchFrame(WatchFrameKind Kind, string? Line = null)
{
    public static readonly WatchFrame End = new(WatchFrameKind.End);

    public static readonly WatchFrame Abort = new(WatchFrameKind.Abort);

    public static WatchFrame Event(string type, string objectJson) =>
        new(WatchFrameKind.Line, "{\"type\":\"" + type + "\",\"object\":" + objectJson + "}\n");
}
