namespace KubeProxy.E2E;

/// <summary>The proxy modes the suite runs against; a mode joins here when it lands.</summary>
public static class ProxyModes
{
    public static TheoryData<string> All => new() { "nftables" };
}
