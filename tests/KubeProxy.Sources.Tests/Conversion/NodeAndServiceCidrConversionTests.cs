using System.Net;
using k8s.Models;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Tests.Conversion;

public class NodeAndServiceCidrConversionTests
{
    private static V1Node Node() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "node-1",
            Labels = new Dictionary<string, string> { ["topology.kubernetes.io/zone"] = "zone-a" },
        },
        Spec = new V1NodeSpec
        {
            PodCIDR = "198.18.64.0/24",
            PodCIDRs = ["198.18.64.0/24", "fd00:198:18:64::/64"],
            Taints = [new V1Taint { Key = "node.kubernetes.io/unschedulable", Effect = "NoSchedule" }],
        },
        Status = new V1NodeStatus
        {
            Addresses =
            [
                new V1NodeAddress { Type = "Hostname", Address = "node-1" },
                new V1NodeAddress { Type = "ExternalIP", Address = "198.19.250.1" },
                new V1NodeAddress { Type = "InternalIP", Address = "198.18.0.10" },
                new V1NodeAddress { Type = "InternalIP", Address = "not-an-ip" },
                new V1NodeAddress { Type = "InternalIP", Address = "fd00:198:18::10" },
            ],
        },
    };

    [Fact]
    public void Node_maps_every_field_with_internal_addresses_first()
    {
        var result = KubeObjectConverter.ToNode(Node(), "node.yaml");
        Assert.True(result.IsOk, result.Error);
        var node = result.Value!;

        Assert.Equal("node-1", node.Name);
        Assert.Equal(
            [IPAddress.Parse("198.18.0.10"), IPAddress.Parse("fd00:198:18::10"), IPAddress.Parse("198.19.250.1")],
            node.Addresses.ToArray());
        Assert.Equal([IPNetwork.Parse("198.18.64.0/24"), IPNetwork.Parse("fd00:198:18:64::/64")], node.PodCIDRs.ToArray());
        Assert.Equal("zone-a", node.Zone);
        Assert.False(node.IsBeingDeleted);
        Assert.False(node.IsToBeDeletedByClusterAutoscaler);
    }

    [Fact]
    public void Deletion_and_autoscaler_taint_are_flagged()
    {
        var input = Node();
        input.Metadata.DeletionTimestamp = DateTime.UtcNow;
        input.Spec.Taints.Add(new V1Taint { Key = "ToBeDeletedByClusterAutoscaler", Value = "1700000000", Effect = "NoSchedule" });
        var node = KubeObjectConverter.ToNode(input, "x").Value!;
        Assert.True(node.IsBeingDeleted);
        Assert.True(node.IsToBeDeletedByClusterAutoscaler);
    }

    [Fact]
    public void Singular_pod_CIDR_is_used_when_the_list_is_absent()
    {
        var input = Node();
        input.Spec.PodCIDRs = null;
        Assert.Equal([IPNetwork.Parse("198.18.64.0/24")], KubeObjectConverter.ToNode(input, "x").Value!.PodCIDRs.ToArray());
    }

    [Fact]
    public void Bare_node_is_fine()
    {
        var node = KubeObjectConverter.ToNode(new V1Node { Metadata = new V1ObjectMeta { Name = "n" } }, "x").Value!;
        Assert.True(node.Addresses.IsEmpty);
        Assert.True(node.PodCIDRs.IsEmpty);
        Assert.Null(node.Zone);
    }

    public static TheoryData<Action<V1Node>, string> NodeRejections => new()
    {
        { n => n.Metadata.Name = "Node_1", "metadata.name: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')" },
        { n => n.Metadata.Name = null, "metadata.name: Required value: name or generateName is required" },
        { n => n.Spec.PodCIDRs[1] = "fd00::/129", "spec.podCIDRs[1]: Invalid value: \"fd00::/129\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)" },
        { n => n.Spec.PodCIDRs[1] = "198.18.65.0/24", "spec.podCIDRs: Invalid value: [\"198.18.64.0/24\", \"198.18.65.0/24\"]: may specify no more than one CIDR for each IP family" },
        { n => n.Spec.PodCIDRs[1] = "198.18.64.0/24", "spec.podCIDRs[1]: Duplicate value: \"198.18.64.0/24\"" },
        { n => n.Metadata.Labels["topology.kubernetes.io/zone"] = "zone a", "metadata.labels: Invalid value: \"zone a\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')" },
    };

    [Theory]
    [MemberData(nameof(NodeRejections))]
    public void Node_rules(Action<V1Node> change, string expected)
    {
        var input = Node();
        change(input);
        var result = KubeObjectConverter.ToNode(input, "x");
        Assert.False(result.IsOk);
        Assert.Equal(expected, result.Error);
    }

    private static V1ServiceCIDR Cidr(params string[] cidrs) => new()
    {
        Metadata = new V1ObjectMeta { Name = "kubernetes" },
        Spec = new V1ServiceCIDRSpec { Cidrs = cidrs },
    };

    [Fact]
    public void ServiceCidr_maps_name_and_ranges()
    {
        var result = KubeObjectConverter.ToServiceCidr(Cidr("198.19.0.0/20", "fd00:198:19::/108"), "x");
        Assert.True(result.IsOk, result.Error);
        Assert.Equal("kubernetes", result.Value!.Name);
        Assert.Equal([IPNetwork.Parse("198.19.0.0/20"), IPNetwork.Parse("fd00:198:19::/108")], result.Value.Cidrs.ToArray());
    }

    [Theory]
    [InlineData(new string[0], "spec.cidrs: Required value: at least one CIDR required")]
    [InlineData(new[] { "198.19.0.0" }, "spec.cidrs[0]: Invalid value: \"198.19.0.0\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    [InlineData(new[] { "198.19.0.0/20", "198.20.0.0/20" }, "spec.cidrs: Invalid value: [\"198.19.0.0/20\", \"198.20.0.0/20\"]: may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64")]
    [InlineData(new[] { "198.19.0.0/20", "fd00::/64", "fd01::/64" }, "spec.cidrs: Invalid value: [\"198.19.0.0/20\", \"fd00::/64\", \"fd01::/64\"]: may only hold up to 2 values")]
    public void ServiceCidr_rules(string[] cidrs, string expected)
    {
        var result = KubeObjectConverter.ToServiceCidr(Cidr(cidrs), "x");
        Assert.False(result.IsOk);
        Assert.Equal(expected, result.Error);
    }
}
