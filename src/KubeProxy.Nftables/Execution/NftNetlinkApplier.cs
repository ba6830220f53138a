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

    /// <summary>A full sync's batch is one datagram too (the kernel commits what one send carries): at 10,000 x 10
    /// about 40 MB, at 50,000 x 10 about 200 MB. Beyond this the full sync goes to nft as text.</summary>
    public const int MaxFullSyncBatchBytes = 512 * 1024 * 1024;

    /// <summary>Commits <paramref name="batch"/>; throws <see cref="NftException"/> naming the first refused command.
    /// A batch larger than <see cref="MaxBatchBytes"/> (a full sync) goes over a socket of its own whose send buffer
    /// fits it, closed afterwards, so the kept socket does not hold a buffer that size.</summary>
    public void Apply(NftNetlinkBatch batch)
    {
        var messages = batch.Finish();
        if (messages.Length > MaxFullSyncBatchBytes) throw new NftUnsupportedException($"a batch of {messages.Length} bytes (more than {MaxFullSyncBatchBytes})");
        string? failure = null;
        NetlinkConnection? large = null;
        try
        {
            if (messages.Length > MaxBatchBytes)
            {
                large = NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options with { SendBufferBytes = messages.Length + 64 * 1024 });
            }
            var connection = large ?? (_connection ??= NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options));
            connection.TransactFramed(messages, messages.MessageCount - 2, (index, errno, kernelMessage) =>
            {
                // Index 0 (BATCH_BEGIN) carries errors of the commit itself.
                var what = index == 0 ? "commit" : batch.Describe(index);
                failure ??= $"{what}: {Errno.Name(errno)} ({Errno.Describe(errno)}){(kernelMessage is null ? "" : ": " + kernelMessage)}";
            });
        }
        catch (NetlinkException e)
        {
            if (large is null) Reset();
            throw new NftException($"nf_tables netlink batch failed: {e.Message}", e);
        }
        finally
        {
            large?.Dispose();
        }
        if (failure is not null) throw new NftException($"nf_tables netlink batch refused: {failure}");
    }

    /// <summary>
    /// The chains and sets of <paramref name="table"/> (an absent table lists empty), read with nf_tables dumps of
    /// this family only (<see cref="NftTableDump"/>). Throws <see cref="NftException"/> when the kernel refuses or the
    /// dump was interrupted by a concurrent change; the caller can then ask nft.
    /// </summary>
    public TableListing List(IPFamily family, string table) =>
        ListTables(family, t => t == table).GetValueOrDefault(table) ?? TableListing.Empty;

    /// <summary>
    /// The chains and sets of every table of <paramref name="family"/> whose name <paramref name="include"/> accepts,
    /// by table: two dumps of the family however many tables there are. A table without chains is not listed.
    /// </summary>
    public IReadOnlyDictionary<string, TableListing> ListTables(IPFamily family, Func<string, bool> include)
    {
        var chains = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var sets = new Dictionary<string, Dictionary<string, SetInfo>>(StringComparer.Ordinal);
        try
        {
            _connection ??= NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options);
            using var request = new NetlinkMessageBuilder(256);
            NftTableDump.WriteRequest(request, NfTablesMessage.GetChain, family);
            var chainDump = _connection.Dump(request, (in NetlinkMessage reply) =>
            {
                if (NftTableDump.ChainOf(reply) is not { } chain || !include(chain.Table)) return;
                if (!chains.TryGetValue(chain.Table, out var names)) chains[chain.Table] = names = new HashSet<string>(StringComparer.Ordinal);
                names.Add(chain.Name);
            });
            request.Reset();
            NftTableDump.WriteRequest(request, NfTablesMessage.GetSet, family);
            var setDump = _connection.Dump(request, (in NetlinkMessage reply) =>
            {
                if (NftTableDump.SetOf(reply) is not { } set || !include(set.Table)) return;
                if (!sets.TryGetValue(set.Table, out var byName)) sets[set.Table] = byName = new Dictionary<string, SetInfo>(StringComparer.Ordinal);
                byName[set.Set.Name] = set.Set;
            });
            if (chainDump.Interrupted || setDump.Interrupted)
                throw new NftException($"the listing of the {family.Label()} tables was interrupted by a concurrent change");
        }
        catch (NetlinkException e)
        {
            Reset();
            throw new NftException($"nf_tables netlink listing failed: {e.Message}", e);
        }
        var result = new Dictionary<string, TableListing>(StringComparer.Ordinal);
        foreach (var (table, names) in chains)
        {
            result[table] = new TableListing(names, sets.TryGetValue(table, out var s) ? s : new Dictionary<string, SetInfo>(StringComparer.Ordinal));
        }
        return result;
    }

    /// <summary>
    /// A fingerprint of the rules of <paramref name="chains"/> as the kernel holds them (expressions and comments, in
    /// order; a missing chain counts as empty): one small filtered dump per chain. A full sync compares it with the
    /// fingerprint taken right after it last wrote those chains, to notice rules changed or flushed by anyone else.
    /// </summary>
    public ulong FingerprintRules(IPFamily family, IEnumerable<(string Table, string Chain)> chains)
    {
        var hash = State.Hash.Seed;
        try
        {
            _connection ??= NetlinkConnection.Open(NetlinkProtocol.Netfilter, _options);
            using var request = new NetlinkMessageBuilder(256);
            foreach (var (table, chain) in chains)
            {
                request.Reset();
                NftTableDump.WriteRuleRequest(request, family, table, chain);
                hash = State.Hash.Add(hash, 0xfe);
                try
                {
                    var dump = _connection.Dump(request, (in NetlinkMessage reply) => hash = NftTableDump.FoldRule(hash, reply));
                    if (dump.Interrupted) throw new NftException("a rule dump was interrupted by a concurrent change");
                }
                catch (NetlinkException e) when (e.Errno == Errno.ENOENT)
                {
                    // No such table or chain: it counts as empty (and the listing will say it is missing).
                }
            }
        }
        catch (NetlinkException e)
        {
            Reset();
            throw new NftException($"nf_tables rule dump failed: {e.Message}", e);
        }
        return hash;
    }

    public void Dispose() => Reset();

    private void Reset()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
