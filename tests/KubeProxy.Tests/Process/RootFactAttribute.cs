using System.Runtime.InteropServices;

namespace KubeProxy.Tests.Process;

/// <summary>A [Fact] skipped, with a loud reason, only when the tests do not run as root.</summary>
public sealed partial class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot)
        {
            Skip = $"NOT RUN: this test needs root (network namespaces, nft, iptables) and runs as uid {geteuid()}. "
                + "Run the tests as root (the CI machine does) to exercise the real kernel.";
        }
    }

    public static bool IsRoot => geteuid() == 0;

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
