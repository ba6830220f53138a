using KubeProxy.Lab.Namespaces;

namespace KubeProxy.Lab.Testing;

/// <summary>What the machine allows: kernel tests need root for namespaces, nft and setns.</summary>
public static class LabEnvironment
{
    public static bool IsRoot => LibC.geteuid() == 0;

    public static string NotRootMessage =>
        $"NOT RUN: this kernel test needs root (network namespaces, nft, setns) and runs as uid {LibC.geteuid()}. "
        + "Run the tests as root (the CI machine does) to exercise the real kernel.";
}
