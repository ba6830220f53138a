namespace KubeProxy.Tests.Process;

/// <summary>A [Fact] skipped, with a loud reason, only when the tests do not run as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!IsRoot)
        {
            Skip = $"NOT RUN: this test needs root (network namespaces, nft, iptables) and runs as uid {EffectiveUid()}. "
                + "Run the tests as root (the CI machine does) to exercise the real kernel.";
        }
    }

    public static bool IsRoot => EffectiveUid() == "0";

    // The effective uid is the second field of the Uid line (real, effective, saved, filesystem).
    private static string EffectiveUid() =>
        File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2];
}
