using KubeProxy.Linux.Processes;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KubeProxy.Nftables.Tests;

/// <summary>
/// Two fresh network namespaces with one data plane each, same options and clock: <see cref="Netlink"/> applies
/// through nf_tables netlink batches where it can, <see cref="Text"/> only through nft text. The tests that compare
/// the two encodings give both the same snapshots. Both namespaces are deleted on dispose, also after a failure.
/// </summary>
internal sealed class NetlinkVsTextPair : IDisposable
{
    private readonly NftNetlinkApplier _applier;

    public NetlinkVsTextPair(NftablesOptions options)
    {
        ViaNetlink = "kpn-" + Guid.NewGuid().ToString("N")[..8];
        ViaText = "kpn-" + Guid.NewGuid().ToString("N")[..8];
        Assert.True(ProcessRunner.Run("ip", ["netns", "add", ViaNetlink]).Succeeded);
        if (!ProcessRunner.Run("ip", ["netns", "add", ViaText]).Succeeded)
        {
            ProcessRunner.Run("ip", ["netns", "del", ViaNetlink]);
            Assert.Fail($"could not create namespace {ViaText}");
        }
        _applier = NftNetlinkApplier.InNetworkNamespace(ViaNetlink);
        Netlink = new NftablesDataPlane(options, NftProcessRunner.InNetworkNamespace(ViaNetlink), null, NullLogger.Instance, Time, () => [], _applier);
        Text = new NftablesDataPlane(options, NftProcessRunner.InNetworkNamespace(ViaText), null, NullLogger.Instance, Time, () => []);
    }

    public string ViaNetlink { get; }

    public string ViaText { get; }

    public FakeTimeProvider Time { get; } = new();

    public NftablesDataPlane Netlink { get; }

    public NftablesDataPlane Text { get; }

    public void Dispose()
    {
        _applier.Dispose();
        ProcessRunner.Run("ip", ["netns", "del", ViaNetlink]);
        ProcessRunner.Run("ip", ["netns", "del", ViaText]);
    }
}
