using KubeProxy.Core.Model;
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

    /// <summary>
    /// The chains and sets of <paramref name="table"/> (an absent table lists empty), read with nf_tables dumps of
    /// this family only (<see cref="NftTableDump"/>). Throws <see cref="NftException"/> when the kernel refuses or the
    /// dump was interrupted by a concurrent change; the caller can then ask nft.
    /// </summary>
    public TableListing List(IPFamily family, string table)
    {
        var chains = new HashSet<string>(StringComparer.Ordinal);
        var sets = new Dictionary<string, SetInfo>(StringComparer.Ordinal);
        try
        {
            _connection ??= NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options);
            using var request = new NetlinkMessageBuilder(256);
            NftTableDump.WriteRequest(request, NfTablesMessage.GetChain, family, table);
            var chainDump = _connection.Dump(request, (in NetlinkMessage reply) =>
            {
                if (NftTableDump.ChainOf(reply, table) is { } chain) chains.Add(chain);
            });
            request.Reset();
            NftTableDump.WriteRequest(request, NfTablesMessage.GetSet, family, table);
            NetlinkDumpResult setDump;
            try
            {
                setDump = _connection.Dump(request, (in NetlinkMessage reply) =>
                {
                    if (NftTableDump.SetOf(reply, table) is { } set) sets[set.Name] = set;
                });
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
            {
                // The set dump names the table, and the kernel refuses a table it does not have.
                return chains.Count == 0 ? TableListing.Empty : throw new NftException($"table {table} vanished while listed", e);
            }
            if (chainDump.Interrupted || setDump.Interrupted)
                throw new NftException($"the listing of table {table} was interrupted by a concurrent change");
        }
        catch (NetlinkException e)
        {
            Reset();
            throw new NftException($"nf_tables netlink listing failed: {e.Message}", e);
        }
        return new TableListing(chains, sets);
    }

    public void Dispose() => Reset();

    private void Reset()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
