namespace KubeProxy.Lab.Tests;

public sealed class LabTopologyTests
{
    [Fact]
    public void OneNodeHasTheFirstDeliverableShape()
    {
        var topology = LabTopology.OneNode();

        Assert.Equal(["router", "node-1", "web-1", "web-2", "client", "blocked"], topology.HostNames);
    }

    [Fact]
    public void RefusesWhatTheLabCannotBuild()
    {
        Assert.Throws<ArgumentException>(() => new LabTopology().AddNode("Node_1"));
        Assert.Throws<InvalidOperationException>(() => new LabTopology().AddNode("a").AddNode("b").AddNode("c").AddNode("d"));
        Assert.Throws<InvalidOperationException>(() => new LabTopology().AddNode("node-1", "x").AddClient("x").Validate());
        Assert.Throws<InvalidOperationException>(() => new LabTopology().AddClient("client").Validate());
        Assert.Throws<InvalidOperationException>(() => new LabTopology { ServiceNode = "node-9" }.AddNode("node-1").Validate());
    }
}
