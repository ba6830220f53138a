using System.Net;
using KubeProxy.Core.Model;
using KubeProxy.Core.Sources;
using KubeProxy.Hosting;
using KubeProxy.Tests.Http;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Tests.Hosting;

public sealed class NodePodCidrGateTests
{
    private const string NodeName = "node-1";
    private static readonly IPNetwork V4 = IPNetwork.Parse("10.244.1.0/24");
    private static readonly IPNetwork V6 = IPNetwork.Parse("fd00:10:244:1::/64");

    [Fact]
    public void The_synced_calls_wait_for_the_node_to_have_podCIDRs()
    {
        var (gate, inner, changes, _, _) = Create();
        gate.OnServicesSynced();
        gate.OnEndpointSlicesSynced();
        gate.OnNodeUpsert(Node(NodeName));
        Assert.DoesNotContain(inner.Calls, c => c.EndsWith("Synced", StringComparison.Ordinal));
        Assert.Null(gate.PodCidrs);

        gate.OnNodeUpsert(Node(NodeName, V4, V6));

        Assert.Equal(["OnNodeUpsert node-1 []", "OnNodeUpsert node-1 [10.244.1.0/24,fd00:10:244:1::/64]", "OnServicesSynced", "OnEndpointSlicesSynced"],
            inner.Calls);
        Assert.Equal([V4, V6], gate.PodCidrs);
        Assert.Empty(changes);
    }

    [Fact]
    public void Synced_calls_after_the_podCIDRs_are_known_pass_at_once_and_only_once()
    {
        var (gate, inner, _, _, _) = Create();
        gate.OnServicesSynced();
        gate.OnNodeUpsert(Node(NodeName, V4));
        gate.OnNodeUpsert(Node(NodeName, V4));
        gate.OnEndpointSlicesSynced();

        Assert.Equal(1, inner.Calls.Count(c => c == "OnServicesSynced"));
        Assert.Equal(1, inner.Calls.Count(c => c == "OnEndpointSlicesSynced"));
    }

    [Fact]
    public void Changed_podCIDRs_call_back_once_with_a_reason_naming_both()
    {
        var (gate, _, changes, _, _) = Create();
        gate.OnNodeUpsert(Node(NodeName, V4));
        gate.OnNodeUpsert(Node(NodeName, V4)); // same: nothing
        Assert.Empty(changes);

        gate.OnNodeUpsert(Node(NodeName, IPNetwork.Parse("10.244.9.0/24")));
        gate.OnNodeUpsert(Node(NodeName)); // removed as well: still one callback

        var reason = Assert.Single(changes);
        Assert.Contains("10.244.1.0/24", reason, StringComparison.Ordinal);
        Assert.Contains("10.244.9.0/24", reason, StringComparison.Ordinal);
        Assert.Contains("NodeCIDR", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Other_nodes_and_a_deleted_node_do_not_count_as_a_change()
    {
        var (gate, inner, changes, logger, _) = Create();
        gate.OnNodeUpsert(Node(NodeName, V4));
        gate.OnNodeUpsert(Node("node-2", IPNetwork.Parse("10.244.2.0/24")));
        gate.OnNodeDelete(NodeName);

        Assert.Empty(changes);
        Assert.Contains("OnNodeDelete node-1", inner.Calls);
        Assert.Contains(logger.Entries, e => e.Message.Contains("node-1 is being deleted", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_podCIDRs_it_carries_on_after_five_minutes_with_a_warning()
    {
        var (gate, inner, _, logger, time) = Create();
        gate.OnServicesSynced();
        gate.OnEndpointSlicesSynced();
        time.Advance(NodePodCidrGate.MaxWait - TimeSpan.FromSeconds(1));
        Assert.DoesNotContain("OnServicesSynced", inner.Calls);

        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Contains("OnServicesSynced", inner.Calls);
        Assert.Contains("OnEndpointSlicesSynced", inner.Calls);
        Assert.Contains(logger.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("no podCIDRs", StringComparison.Ordinal));
    }

    [Fact]
    public void Podcidrs_that_appear_after_giving_up_are_taken_as_the_first_ones()
    {
        var (gate, _, changes, _, time) = Create();
        time.Advance(NodePodCidrGate.MaxWait);
        gate.OnNodeUpsert(Node(NodeName, V4));

        Assert.Empty(changes);
        Assert.Equal([V4], gate.PodCidrs);
    }

    private static (NodePodCidrGate Gate, CallRecorder Inner, List<string> Changes, ListLogger Logger, FakeTimeProvider Time) Create()
    {
        var inner = new CallRecorder();
        var changes = new List<string>();
        var logger = new ListLogger();
        var time = new FakeTimeProvider();
        return (new NodePodCidrGate(inner, NodeName, changes.Add, logger, time), inner, changes, logger, time);
    }

    private static Node Node(string name, params IPNetwork[] podCidrs) =>
        new() { Name = name, PodCIDRs = podCidrs.ToEquatableArray() };

    private sealed class CallRecorder : IProxyEventSink
    {
        public List<string> Calls { get; } = [];

        public void OnServiceUpsert(Service service) => Calls.Add($"OnServiceUpsert {service.Name}");

        public void OnServiceDelete(ObjectName name) => Calls.Add($"OnServiceDelete {name}");

        public void OnEndpointSliceUpsert(EndpointSlice slice) => Calls.Add($"OnEndpointSliceUpsert {slice.Name}");

        public void OnEndpointSliceDelete(ObjectName name) => Calls.Add($"OnEndpointSliceDelete {name}");

        public void OnNodeUpsert(Node node) => Calls.Add($"OnNodeUpsert {node.Name} [{string.Join(",", node.PodCIDRs)}]");

        public void OnNodeDelete(string name) => Calls.Add($"OnNodeDelete {name}");

        public void OnServiceCidrsChanged(IReadOnlyList<ServiceCidr> cidrs) => Calls.Add("OnServiceCidrsChanged");

        public void OnServicesSynced() => Calls.Add("OnServicesSynced");

        public void OnEndpointSlicesSynced() => Calls.Add("OnEndpointSlicesSynced");
    }
}
