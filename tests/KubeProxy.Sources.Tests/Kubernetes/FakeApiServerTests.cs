using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using KubeProxy.ApiServer;
using KubeProxy.ApiServer.Faults;
using KubeProxy.ApiServer.Resources;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>The fake API server speaks the real wire format and resourceVersion semantics (checked with raw HTTP).</summary>
public sealed class FakeApiServerTests : IAsyncLifetime
{
    private FakeApiServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>Reads a watch until the server ends it; returns the JSON lines.</summary>
    private async Task<List<JsonObject>> WatchAsync(string path)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<JsonObject>();
        while (await reader.ReadLineAsync() is { } line) lines.Add(JsonNode.Parse(line)!.AsObject());
        return lines;
    }

    private static string Rv(JsonNode obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    [Fact]
    public async Task A_list_is_paged_with_continue_and_carries_its_resourceVersion()
    {
        for (var i = 0; i < 5; i++) _server.Upsert(ApiObjects.Service("default", $"s{i}", i));

        var names = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var (status, body) = await GetJsonAsync("/api/v1/services?limit=2" + (next is null ? "" : "&continue=" + Uri.EscapeDataString(next)));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("ServiceList", body["kind"]!.GetValue<string>());
            Assert.Equal("v1", body["apiVersion"]!.GetValue<string>());
            Assert.Equal(_server.ResourceVersion.ToString(), Rv(body));
            foreach (var item in body["items"]!.AsArray())
            {
                Assert.Equal("Service", item!["kind"]!.GetValue<string>());
                Assert.False(string.IsNullOrEmpty(item["metadata"]!["uid"]!.GetValue<string>()));
                names.Add(item["metadata"]!["name"]!.GetValue<string>());
            }
            next = body["metadata"]!["continue"]?.GetValue<string>();
            pages++;
        }
        while (next is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["s0", "s1", "s2", "s3", "s4"], names);
    }

    [Fact]
    public async Task A_continue_token_expires_with_compaction()
    {
        for (var i = 0; i < 3; i++) _server.Upsert(ApiObjects.Service("default", $"s{i}", i));
        var (_, first) = await GetJsonAsync("/api/v1/services?limit=1");
        _server.Compact();

        var (status, body) = await GetJsonAsync("/api/v1/services?limit=1&continue=" + Uri.EscapeDataString(first["metadata"]!["continue"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.Gone, status);
        Assert.Equal("Status", body["kind"]!.GetValue<string>());
        Assert.Equal("Failure", body["status"]!.GetValue<string>());
        Assert.Equal("Expired", body["reason"]!.GetValue<string>());
        Assert.Equal(410, body["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_watch_replays_the_changes_after_a_version_as_json_lines()
    {
        var start = _server.ResourceVersion;
        _server.Upsert(ApiObjects.Service("default", "a", 1));
        _server.Upsert(ApiObjects.Service("default", "a", 1, port: 81));
        _server.Delete(ResourceKind.Services, "default", "a");

        var events = await WatchAsync($"/api/v1/services?watch=true&resourceVersion={start}&timeoutSeconds=1");

        Assert.Equal(["ADDED", "MODIFIED", "DELETED"], events.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal([start + 1, start + 2, start + 3], events.Select(e => long.Parse(Rv(e["object"]!))));
        Assert.All(events, e => Assert.Equal("a", e["object"]!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_watch_without_a_version_starts_with_the_current_objects()
    {
        _server.Upsert(ApiObjects.Service("default", "a", 1));
        _server.Upsert(ApiObjects.Service("other", "b", 2));

        var events = await WatchAsync("/api/v1/services?watch=1&timeoutSeconds=1");

        Assert.Equal(["ADDED default/a", "ADDED other/b"],
            events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["namespace"]}/{e["object"]!["metadata"]!["name"]}"));
    }

    [Fact]
    public async Task A_watch_from_a_compacted_version_gets_an_ERROR_event_with_a_410_Status()
    {
        var old = _server.ResourceVersion;
        _server.Upsert(ApiObjects.Service("default", "a", 1));
        _server.Compact();

        var events = await WatchAsync($"/api/v1/services?watch=true&resourceVersion={old}");

        var error = Assert.Single(events);
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal("Status", error["object"]!["kind"]!.GetValue<string>());
        Assert.Equal(410, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("Expired", error["object"]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_watch_from_a_future_version_gets_a_too_large_error()
    {
        var events = await WatchAsync($"/api/v1/services?watch=true&resourceVersion={_server.ResourceVersion + 50}");

        var error = Assert.Single(events);
        Assert.Equal(504, error["object"]!["code"]!.GetValue<int>());
        Assert.Equal("ResourceVersionTooLarge", error["object"]!["details"]!["causes"]![0]!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_filtered_watch_sees_objects_enter_and_leave_the_selection()
    {
        var start = _server.ResourceVersion;
        _server.Upsert(ApiObjects.Service("default", "a", 1));
        _server.Upsert(ApiObjects.Service("default", "a", 1, labels: new Dictionary<string, string> { ["hidden"] = "yes" }));
        _server.Upsert(ApiObjects.Service("default", "a", 1));
        _server.Upsert(ApiObjects.Service("default", "b", 2, labels: new Dictionary<string, string> { ["hidden"] = "yes" }));

        var events = await WatchAsync($"/api/v1/services?watch=true&resourceVersion={start}&timeoutSeconds=1&labelSelector=!hidden");

        Assert.Equal(["ADDED a", "DELETED a", "ADDED a"], events.Select(e => $"{e["type"]} {e["object"]!["metadata"]!["name"]}"));
    }

    [Fact]
    public async Task Selectors_filter_lists()
    {
        _server.Upsert(ApiObjects.Node("n1", "198.18.0.1"));
        _server.Upsert(ApiObjects.Node("n2", "198.18.0.2"));
        _server.Upsert(ApiObjects.Service("default", "plain", 1));
        _server.Upsert(ApiObjects.Service("default", "custom", 2, labels: new Dictionary<string, string> { ["service.kubernetes.io/service-proxy-name"] = "x" }));
        _server.Upsert(ApiObjects.Service("default", "tier", 3, labels: new Dictionary<string, string> { ["tier"] = "web" }));

        var (_, nodes) = await GetJsonAsync("/api/v1/nodes?fieldSelector=" + Uri.EscapeDataString("metadata.name=n2"));
        var (_, proxied) = await GetJsonAsync("/api/v1/services?labelSelector=" + Uri.EscapeDataString("!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless"));
        var (_, web) = await GetJsonAsync("/api/v1/services?labelSelector=" + Uri.EscapeDataString("tier=web"));
        var (badStatus, bad) = await GetJsonAsync("/api/v1/nodes?fieldSelector=spec.unschedulable=true");

        Assert.Equal(["n2"], Names(nodes));
        Assert.Equal(["plain", "tier"], Names(proxied));
        Assert.Equal(["tier"], Names(web));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Equal("BadRequest", bad["reason"]!.GetValue<string>());

        static IEnumerable<string> Names(JsonObject list) => list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watches_that_ask_get_bookmarks_with_the_current_version()
    {
        var start = _server.ResourceVersion;
        _server.Upsert(ApiObjects.Node("n1", "198.18.0.1"));

        var events = await WatchAsync($"/api/v1/services?watch=true&resourceVersion={start}&allowWatchBookmarks=true&timeoutSeconds=1");

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("BOOKMARK", e["type"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal((start + 1).ToString(), Rv(e["object"]!)));
    }

    [Fact]
    public async Task A_bearer_token_is_required_when_set()
    {
        _server.BearerToken = "t0ken";
        var (status, body) = await GetJsonAsync("/api/v1/services");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/services");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken");
        using var authorized = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", body["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
    }

    [Fact]
    public async Task Injected_status_faults_answer_with_a_Status_object_and_then_stop()
    {
        _server.Faults.Add(Fault.Status(429).For("services"));
        using var throttled = await _http.GetAsync("/api/v1/services");
        var body = JsonNode.Parse(await throttled.Content.ReadAsStringAsync())!;
        using var next = await _http.GetAsync("/api/v1/services");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("1", throttled.Headers.RetryAfter?.ToString());
        Assert.Equal("TooManyRequests", body["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task An_unserved_resource_answers_404_and_leaves_discovery()
    {
        _server.SetServed(ResourceKind.ServiceCidrs, false);

        var (status, _) = await GetJsonAsync("/apis/networking.k8s.io/v1/servicecidrs");
        var (_, groups) = await GetJsonAsync("/apis");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("networking.k8s.io", groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()));
        Assert.Contains("discovery.k8s.io", groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Objects_round_trip_through_the_server()
    {
        _server.Upsert(ApiObjects.Slice("ns", "web-abc", "web", "198.18.64.1"));

        var slice = Assert.Single(_server.Objects<V1EndpointSlice>(ResourceKind.EndpointSlices));

        Assert.Equal("198.18.64.1", slice.Endpoints.Single().Addresses.Single());
        Assert.Equal("discovery.k8s.io/v1", slice.ApiVersion);
        Assert.Equal(_server.ResourceVersion.ToString(), slice.Metadata.ResourceVersion);
    }
}
