namespace KubeProxy.Nftables.Tests;

/// <summary>A fact that needs root (network namespaces, nft). Skipped, with the reason shown, only when not root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            Skip = "SKIPPED: needs root (network namespaces and nft); CI runs as root";
        }
    }

    private static bool IsRoot() => File.Exists("/proc/self/status") &&
        File.ReadLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
