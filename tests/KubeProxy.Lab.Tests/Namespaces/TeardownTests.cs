using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Namespaces;

public sealed class TeardownTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task EveryNamespaceIsRemovedEvenWhenTheTestBodyThrows()
    {
        NetworkLab? captured = null;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lab = await LabFixture.StartAsync(output);
            captured = lab;
            await lab.Pod("web-1").StartEchoAsync("tcp:8080", "udp:5353");
            await lab.Node("node-1").StartEchoAsync("tcp:30080");
            Assert.All(lab.Namespaces, ns => Assert.True(ns.Exists, ns.Name));
            throw new InvalidOperationException("test body failed");
        });

        Assert.Equal("test body failed", thrown.Message);
        Assert.NotNull(captured);
        Assert.Equal(6, captured.Namespaces.Count); // router, node-1, web-1, web-2, client, blocked
        Assert.DoesNotContain(NetworkNamespace.List(), name => name.StartsWith(captured.Prefix, StringComparison.Ordinal));
        Assert.Empty(captured.TeardownProblems);
        Assert.False(File.Exists(LabRun.LockPath(captured.Run.Id)));
    }

    [RootFact]
    public async Task ProcessesStartedInTheLabAreStoppedWithIt()
    {
        NetworkLab lab = await LabFixture.StartAsync(output);
        var sleeper = lab.Track(Processes.LabProcessTests.Sleeper(lab.Node("node-1").Namespace));
        await sleeper.Output.WaitForLineAsync(l => l == "ready", TimeSpan.FromSeconds(10));

        await lab.DisposeAsync();

        Assert.True(sleeper.HasExited);
        Assert.DoesNotContain(NetworkNamespace.List(), name => name.StartsWith(lab.Prefix, StringComparison.Ordinal));
    }

    [RootTheory]
    [InlineData("namespaces")]
    [InlineData("links")]
    [InlineData("configuration")]
    public async Task FailedBuildRemovesWhatItCreated(string step)
    {
        var topology = LabTopology.OneNode();
        topology.FailAfterStep = step;

        var thrown = await Assert.ThrowsAsync<LabBuildException>(() => LabFixture.StartAsync(output, topology));

        output.WriteLine(thrown.Message);
        Assert.Contains($"failure injected after {step}", thrown.Message);
        Assert.DoesNotContain(NetworkNamespace.List(), name => name.StartsWith(thrown.Prefix, StringComparison.Ordinal));
    }
}
