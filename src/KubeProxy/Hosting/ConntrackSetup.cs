using KubeProxy.Configuration;
using KubeProxy.Linux.Sysctl;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>Applies the conntrack sysctls at start and with --init-only (a read-only /proc is a warning).</summary>
internal static class ConntrackSetup
{
    public static void Apply(ConntrackOptions options, ILogger logger)
    {
        var sysctl = new ConntrackSysctlOptions
        {
            MaxPerCore = options.MaxPerCore,
            Min = options.Min,
            TcpEstablishedTimeout = options.TcpEstablishedTimeout > TimeSpan.Zero ? options.TcpEstablishedTimeout : null,
            TcpCloseWaitTimeout = options.TcpCloseWaitTimeout > TimeSpan.Zero ? options.TcpCloseWaitTimeout : null,
            TcpBeLiberal = options.TcpBeLiberal,
            UdpTimeout = options.UdpTimeout,
            UdpStreamTimeout = options.UdpStreamTimeout,
        };
        ConntrackSysctls.Apply(sysctl, new FileSysctl(), logger);
    }
}
