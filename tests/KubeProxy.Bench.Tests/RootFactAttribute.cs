namespace KubeProxy.Bench.Tests;

/// <summary>A fact that needs root (network namespaces, nft). Skipped, with the reason shown, only when not root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "SKIPPED: needs root (network namespaces and nft); CI runs as root";
        }
    }
}
