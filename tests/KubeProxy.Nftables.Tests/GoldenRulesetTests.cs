using KubeProxy.Core.Model;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// Pins the full-sync transaction for a representative cluster, so an unintended change to the ruleset shows up
/// in review. (What the rules do to packets is proven in KubeProxy.Lab.Tests.) Regenerate with
/// <c>UPDATE_GOLDEN=1 dotnet test --filter GoldenRuleset</c> after an intended change.
/// </summary>
public class GoldenRulesetTests
{
    [Fact]
    public void Full_sync_of_the_representative_cluster_matches_the_golden_file()
    {
        var runner = new FakeNftRunner();
        var plane = new NftablesDataPlane(
            new NftablesOptions { Family = IPFamily.IPv4, ClusterCidrs = [System.Net.IPNetwork.Parse("198.18.64.0/18")] },
            runner, null, NullLogger.Instance, new FakeTimeProvider());
        plane.Sync(RepresentativeCluster.Build().Build(), fullSync: true, CancellationToken.None);
        var actual = runner.Applied.Single();

        var path = Path.Combine(SourceDirectory(), "Golden", "representative-ipv4.nft");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1") File.WriteAllText(path, actual);
        var expected = File.ReadAllText(path);
        Assert.Equal(expected.Split('\n'), actual.Split('\n'));
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.GetDirectoryName(file)!;
}
