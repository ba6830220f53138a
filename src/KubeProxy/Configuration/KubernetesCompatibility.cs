using System.Globalization;

namespace KubeProxy.Configuration;

/// <summary>
/// The upstream release whose kube-proxy behaviour we reproduce. Version-dependent checks use it (only the
/// previous minor version is a valid <c>showHiddenMetricsForVersion</c>), and <c>--version</c> reports it.
/// </summary>
public static class KubernetesCompatibility
{
    public const int Major = 1;
    public const int Minor = 35;

    /// <summary>The version string upstream would print ("v1.35.0").</summary>
    public static string GitVersion { get; } = string.Create(CultureInfo.InvariantCulture, $"v{Major}.{Minor}.0");

    /// <summary>The only non-empty value <c>showHiddenMetricsForVersion</c> accepts.</summary>
    public static string PreviousMinor { get; } = string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor - 1}");
}
