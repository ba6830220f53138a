using System.Text.Json;
using k8s.Models;
using KubeProxy.Sources.Manifests;

namespace KubeProxy.Sources.Tests.Manifests;

public class ManifestParserTests
{
    [Fact]
    public void Multi_document_yaml_with_comments_and_empty_documents()
    {
        var docs = ManifestParser.Parse("x.yaml", """
            # leading comment
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: a, namespace: ns}
            ---
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: b}
            ---
            """);

        Assert.Equal(2, docs.Count);
        Assert.Equal(("v1", "Service", "ns/a", "line 3"), (docs[0].ApiVersion, docs[0].Kind, docs[0].DisplayName, docs[0].Position));
        Assert.Equal(("apps/v1", "Deployment", "b"), (docs[1].ApiVersion, docs[1].Kind, docs[1].DisplayName));
    }

    [Fact]
    public void Empty_file_has_no_objects()
    {
        Assert.Empty(ManifestParser.Parse("x.yaml", ""));
        Assert.Empty(ManifestParser.Parse("x.yaml", "# only a comment\n"));
    }

    [Fact]
    public void Typed_list_items_inherit_apiVersion_and_kind()
    {
        var docs = ManifestParser.Parse("x.yaml", """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSliceList
            items:
            - metadata: {name: s1}
              addressType: IPv4
            - apiVersion: v1
              kind: Service
              metadata: {name: web}
            """);
        Assert.Equal(("discovery.k8s.io/v1", "EndpointSlice"), (docs[0].ApiVersion, docs[0].Kind));
        Assert.Equal(("v1", "Service"), (docs[1].ApiVersion, docs[1].Kind));
        Assert.Equal("IPv4", docs[0].Deserialize<V1EndpointSlice>().AddressType);
    }

    [Fact]
    public void Yaml_scalars_are_typed_as_kubectl_types_them()
    {
        var docs = ManifestParser.Parse("x.yaml", """
            apiVersion: v1
            kind: Service
            metadata:
              name: "123"
              annotations: {a: "true", b: 1.5e3x, c: 10.0.0.1}
            spec:
              clusterIP: 198.19.0.10
              ports:
              - {port: 80, targetPort: 8080, nodePort: null}
              - {port: 0x51, targetPort: http}
            """);
        var service = docs[0].Deserialize<V1Service>();
        Assert.Equal("123", service.Metadata.Name);
        Assert.Equal("true", service.Metadata.Annotations["a"]);
        Assert.Equal("1.5e3x", service.Metadata.Annotations["b"]);
        Assert.Equal("10.0.0.1", service.Metadata.Annotations["c"]);
        Assert.Equal("198.19.0.10", service.Spec.ClusterIP);
        Assert.Equal("8080", service.Spec.Ports[0].TargetPort.Value);
        Assert.Null(service.Spec.Ports[0].NodePort);
        Assert.Equal(81, service.Spec.Ports[1].Port);
        Assert.Equal("http", service.Spec.Ports[1].TargetPort.Value);
    }

    [Fact]
    public void Quoted_number_in_an_integer_field_is_an_error_as_with_kubectl()
    {
        var doc = ManifestParser.Parse("x.yaml", "apiVersion: v1\nkind: Service\nspec: {ports: [{port: \"80\"}]}\n")[0];
        var e = Assert.Throws<JsonException>(() => doc.Deserialize<V1Service>());
        Assert.Equal("$.spec.ports[0].port", e.Path);
    }

    [Fact]
    public void Anchors_and_aliases_are_expanded()
    {
        var docs = ManifestParser.Parse("x.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: a, labels: &labels {app: web}}
            spec: {selector: *labels}
            """);
        Assert.Equal("web", docs[0].Deserialize<V1Service>().Spec.Selector["app"]);
    }

    [Fact]
    public void Json_object_and_list()
    {
        var single = ManifestParser.Parse("x.json", """{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}""");
        Assert.Equal(("Node", "n"), (single[0].Kind, single[0].DisplayName));

        var list = ManifestParser.Parse("x.json", """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}},
              {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "b"}},
            ]}
            """);
        Assert.Equal(["a", "b"], list.Select(d => d.DisplayName).ToArray());
        Assert.Equal("$.items[1]", list[1].Position);
        Assert.Equal("b", list[1].Deserialize<V1Node>().Metadata.Name);
    }

    [Fact]
    public void Json_items_before_kind_comments_and_a_byte_order_mark()
    {
        var text = """
            // a generated list
            {"items": [{"metadata": {"name": "a"}}, /* second */ {"metadata": {"name": "b"}}], "kind": "NodeList", "apiVersion": "v1"}
            """;
        var list = ManifestParser.Parse("x.json", [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(text)]);
        Assert.Equal([("Node", "a"), ("Node", "b")], list.Select(d => (d.Kind, d.DisplayName)).ToArray());
        Assert.Equal("b", list[1].Deserialize<V1Node>().Metadata.Name);
    }

    [Theory]
    [InlineData("x.json")]
    [InlineData("x.yaml")]
    public void Bytes_that_are_not_UTF8_spoil_only_the_string_they_are_in(string path)
    {
        var head = System.Text.Encoding.UTF8.GetBytes("{\"kind\": \"List\", \"apiVersion\": \"v1\", \"items\": [{\"kind\": \"Node\", \"metadata\": {\"name\": \"a");
        var tail = System.Text.Encoding.UTF8.GetBytes("\"}}, {\"kind\": \"Node\", \"metadata\": {\"name\": \"b\"}}]}");

        var list = ManifestParser.Parse(path, [.. head, 0xFF, .. tail]);

        Assert.Equal(["a\uFFFD", "b"], list.Select(d => d.DisplayName).ToArray());
    }

    [Fact]
    public void Explicit_string_tag_keeps_a_number_a_string()
    {
        var doc = ManifestParser.Parse("x.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: !!str 123, labels: {version: !!str 2}}\n")[0];
        Assert.Equal("2", doc.Deserialize<V1Service>().Metadata.Labels["version"]);
        Assert.Equal("123", doc.Name);
    }

    [Fact]
    public void Alias_expansion_is_bounded()
    {
        // Each level doubles the size: 2^30 nodes if expanded.
        var text = "a0: &a0 [x, x]\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n"));
        var e = Assert.Throws<ManifestParseException>(() => ManifestParser.Parse("x.yaml", text));
        Assert.Contains("alias expansion", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        var text = new string('[', 100_000) + new string(']', 100_000);
        Assert.Throws<ManifestParseException>(() => ManifestParser.Parse("x.yaml", text));
    }

    [Theory]
    [InlineData("x.yaml", "a: [\n")]
    [InlineData("x.yaml", "base: &b {a: 1}\nkind: Service\n<<: *b\n")]
    [InlineData("x.yaml", "- just\n- a list\n")]
    [InlineData("x.yaml", "kind: Service\nkind: Node\n")]
    [InlineData("x.yaml", "apiVersion: v1\nkind: List\nitems: [1, 2]\n")]
    [InlineData("x.json", "{\"kind\": ")]
    [InlineData("x.json", "[{\"kind\": \"Service\"}]")]
    [InlineData("x.json", "{\"kind\": \"Service\", \"kind\": \"Node\"}")]
    [InlineData("x.json", "{\"kind\": \"Service\"} {}")]
    [InlineData("x.json", "{\"kind\": \"List\", \"items\": [{}, ]] }")]
    [InlineData("x.json", "")]
    public void Malformed_files_are_parse_errors(string path, string text)
    {
        Assert.Throws<ManifestParseException>(() => ManifestParser.Parse(path, text));
    }
}
