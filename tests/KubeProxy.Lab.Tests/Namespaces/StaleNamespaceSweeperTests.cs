using System.Security.Cryptography;
using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Processes;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Namespaces;

public sealed class StaleNamespaceSweeperTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task DeletesNamespacesOfDeadRunsAndSparesLiveLabs()
    {
        await using var live = await LabFixture.StartAsync(output);
        // A namespace of the family with no lock held: what a killed test host leaves behind.
        var stale = $"{LabRun.Family}{RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz", 6)}-node-1";
        await CommandRunner.RunCheckedAsync("ip", "netns", "add", stale);
        try
        {
            var deleted = await StaleNamespaceSweeper.SweepAsync(new TestOutputLogger(output));

            Assert.Contains(stale, deleted);
            Assert.DoesNotContain(stale, NetworkNamespace.List());
            Assert.All(live.Namespaces, ns => Assert.True(ns.Exists, $"{ns.Name} of a live lab was swept"));
            Assert.True(LabRun.IsAlive(live.Run.Id));
        }
        finally
        {
            await CommandRunner.RunAsync("ip", ["netns", "del", stale]);
        }
    }

    [Fact]
    public void OnlyNamesOfTheFamilyHaveARunId()
    {
        Assert.Equal("a1b2c3", LabRun.RunIdOf("kpl-a1b2c3-node-1"));
        Assert.Null(LabRun.RunIdOf("kpl-a1b2c-node-1"));
        Assert.Null(LabRun.RunIdOf("other-a1b2c3-node-1"));
        Assert.Null(LabRun.RunIdOf("kpl-demo-node-1"));
    }
}
