namespace KubeProxy.Linux.Tests.Kernel;

/// <summary>A test that needs root (network namespaces, ctnetlink). Skipped, with the reason shown, only when not root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
            Skip = "SKIPPED: needs root (network namespaces and ctnetlink); run the tests as root to exercise the kernel";
    }
}
