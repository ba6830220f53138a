using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests.Namespaces;

public sealed class NetworkNamespaceTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task WorkRunsInsideTheNamespace()
    {
        await using var lab = await LabFixture.StartAsync(output);
        var node = lab.Node("node-1").Namespace;

        var inThread = await node.RunAsync(() => new FileInfo("/proc/thread-self/ns/net").LinkTarget);
        var viaExec = (await node.ExecAsync("readlink", "/proc/self/ns/net")).Stdout.Trim();
        var root = new FileInfo("/proc/self/ns/net").LinkTarget;

        Assert.Equal(viaExec, inThread);
        Assert.NotEqual(root, inThread);
    }

    [RootFact]
    public async Task LabSysctlsAreSetPerNamespace()
    {
        await using var lab = await LabFixture.StartAsync(output);

        Assert.Equal("1", await lab.Node("node-1").Namespace.ReadSysctlAsync("net.ipv4.ip_forward"));
        Assert.Equal("1", await lab.Router.Namespace.ReadSysctlAsync("net.ipv6.conf.all.forwarding"));
        Assert.Equal("0", await lab.Pod("web-1").Namespace.ReadSysctlAsync("net.ipv4.ip_forward"));
        Assert.Equal("0", await lab.Node("node-1").Namespace.ReadSysctlAsync("net.ipv4.conf.all.rp_filter"));
        Assert.Equal("1", await lab.Node("node-1").Namespace.ReadSysctlAsync("net.bridge.bridge-nf-call-iptables"));
        Assert.Equal("0", await lab.Router.Namespace.ReadSysctlAsync("net.bridge.bridge-nf-call-iptables"));
    }

    [RootFact]
    public async Task WorkAfterDisposeFailsClearly()
    {
        var ns = await NetworkNamespace.CreateAsync($"{LabRun.Family}zz{Guid.NewGuid():N}"[..20]);
        await ns.DisposeAsync();

        Assert.False(ns.Exists);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ns.RunAsync(() => 1));
    }
}
