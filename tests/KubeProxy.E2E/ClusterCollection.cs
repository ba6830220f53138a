namespace KubeProxy.E2E;

/// <summary>
/// Every e2e test class is in this collection: they share one cluster per proxy mode (starting one costs far
/// more than any test) and run one after another, so each test's sync waits see only its own changes.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
