using KubeProxy.Linux.Netlink;
using KubeProxy.Nftables.Netlink;

namespace KubeProxy.Nftables.Execution;

/// <summary>
/// Sends nf_tables batches over one netlink socket kept open between syncs (opened in a given network namespace for
/// tests and the bench, else in our own). A failed receive leaves the socket's state unknown, so it is then closed and
/// the next batch opens a new one.
/// </summary>
public sealed class NftNetlinkApplier : IDisposable
{
    /// <summary>Larger batches go to nft as text: the socket's send buffer bounds one datagram, and a partial sync this
    /// big is rare (a large Service created at once) and costs more in the kernel than nft's overhead anyway.</summary>
    public const int MaxBatchBytes = 8 * 1024 * 1024;

    private readonly NetlinkSocketOptions _options;
    private NetlinkConnection? _connection;

    public NftNetlinkApplier(string? networkNamespacePath = null)
    {
        _options = new NetlinkSocketOptions
        {
            NetworkNamespacePath = networkNamespacePath,
            SendBufferBytes = MaxBatchBytes + 64 * 1024,
            ReceiveBufferBytes = 1024 * 1024,
        };
    }

    public static NftNetlinkApplier InNetworkNamespace(string netns) => new(NetworkNamespace.PathOf(netns));

    /// <summary>Commits <paramref name="batch"/>; throws <see cref="NftException"/> naming the first refused command.</summary>
    public void Apply(NftNetlinkBatch batch)
    {
        var messages = batch.Finish();
        string? failure = null;
        try
        {
            _connection ??= NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options);
            _connection.TransactFramed(messages, messages.MessageCount - 2, (index, errno, kernelMessage) =>
            {
                // Index 0 (BATCH_BEGIN) carries errors of the commit itself.
                var what = index == 0 ? "commit" : batch.Describe(index);
                failure ??= $"{what}: {Errno.Name(errno)} ({Errno.Describe(errno)}){(kernelMessage is null ? "" : ": " + kernelMessage)}";
            });
        }
        catch (NetlinkException e)
        {
            Reset();
            throw new NftException($"nf_tables netlink batch failed: {e.Message}", e);
        }
        if (failure is not null) throw new NftException($"nf_tables netlink batch refused: {failure}");
    }

    public void Dispose() => Reset();

    private void Reset()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
