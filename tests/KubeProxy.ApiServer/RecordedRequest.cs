namespace KubeProxy.ApiServer;

/// <summary>One request the fake server received, for tests that assert what the client asked for.</summary>
public sealed record RecordedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string? Resource,
    ApiVerb Verb,
    IReadOnlyDictionary<string, string> Query,
    bool Authorized)
{
    public string? ResourceVersion => Query.GetValueOrDefault("resourceVersion");

    public string? ResourceVersionMatch => Query.GetValueOrDefault("resourceVersionMatch");

    public string? LabelSelector => Query.GetValueOrDefault("labelSelector");

    public string? FieldSelector => Query.GetValueOrDefault("fieldSelector");

    public string? Continue => Query.GetValueOrDefault("continue");

    public int? Limit => int.TryParse(Query.GetValueOrDefault("limit"), out var limit) ? limit : null;

    public bool AllowWatchBookmarks => Query.GetValueOrDefault("allowWatchBookmarks") is "true" or "1";

    public override string ToString() =>
        $"{Method} {Path}?{string.Join('&', Query.Select(kv => kv.Key + "=" + kv.Value))}";
}
