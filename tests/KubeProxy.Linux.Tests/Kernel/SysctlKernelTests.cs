using KubeProxy.Linux.Netlink;
using KubeProxy.Linux.Sysctl;

namespace KubeProxy.Linux.Tests.Kernel;

/// <summary>
/// Real /proc/sys files, inside a throw-away namespace (net.netfilter tunables resolve per namespace, per thread):
/// the host's values are never touched.
/// </summary>
public class SysctlKernelTests
{
    [RootFact]
    public void Writes_a_namespace_tunable_and_reports_a_refused_one_as_read_only()
    {
        using var ns = TestNamespace.Create("sysctl");
        var sysctl = new FileSysctl();

        NetworkNamespace.Run(ns.Path, () =>
        {
            sysctl.Write(ConntrackSysctls.UdpTimeout, "47");
            return 0;
        });
        Assert.Equal("47", ns.Exec("cat", ConntrackSysctls.UdpTimeout).Trim());
        Assert.Equal("47", NetworkNamespace.Run(ns.Path, () => sysctl.Read(ConntrackSysctls.UdpTimeout)));

        // Outside the initial namespace nf_conntrack_max is a read-only mirror of the global limit.
        var e = Assert.Throws<SysctlReadOnlyException>(() => NetworkNamespace.Run(ns.Path, () =>
        {
            sysctl.Write(ConntrackSysctls.Max, "12345");
            return 0;
        }));
        Assert.Equal(ConntrackSysctls.Max, e.Path);
    }
}
