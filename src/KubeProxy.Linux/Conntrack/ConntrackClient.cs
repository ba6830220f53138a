using KubeProxy.Core.Model;
using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Conntrack;

/// <summary>
/// The kernel's conntrack table over ctnetlink (NETLINK_NETFILTER). Two sockets: one streams dumps, the other
/// carries deletes and creates in batches (one datagram, one ACK per batch), so a dump visitor can delete while the
/// dump runs. The kernel resumes a dump from the id of the next entry it has not sent yet, so deleting entries
/// already seen does not disturb it. A socket whose receive failed is replaced on the next call.
/// </summary>
public sealed class ConntrackClient : IConntrack, IDisposable
{
    /// <summary>Requests per datagram are bounded by bytes: ~350 IPv4 deletes, well inside socket buffers.</summary>
    internal const int BatchBytes = 32 * 1024;

    private readonly Func<INetlinkTransport> _openTransport;
    private readonly NetlinkMessageBuilder _dumpRequest = new(256);
    private readonly NetlinkMessageBuilder _batch = new(BatchBytes + 1024);
    private readonly Lock _lock = new();
    private NetlinkConnection? _dumpConnection;
    private NetlinkConnection? _requestConnection;
    private bool _disposed;

    public ConntrackClient(Func<INetlinkTransport> openTransport)
    {
        _openTransport = openTransport;
    }

    /// <summary>A client for this process's network namespace, or the one <paramref name="options"/> names.</summary>
    public static ConntrackClient Open(NetlinkSocketOptions? options = null)
    {
        var client = new ConntrackClient(() => NetlinkSocket.Open(NetlinkProtocol.Netfilter, options));
        client.RequestConnection(); // fail here, not at the first sync, when netlink is not allowed
        return client;
    }

    public long Dump(IPFamily family, byte protocol, ConntrackEntryVisitor visitor)
    {
        lock (_lock)
        {
            var connection = DumpConnection();
            _dumpRequest.Reset();
            ConntrackMessages.WriteDumpRequest(_dumpRequest, family, protocol);
            long visited = 0;
            connection.Dump(_dumpRequest, (in NetlinkMessage message) =>
            {
                if (!ConntrackMessages.TryParseEntry(message, out var entry)) return;
                visited++;
                visitor(in entry);
            });
            return visited;
        }
    }

    public int Delete(ReadOnlySpan<ConntrackEntry> entries)
    {
        lock (_lock)
        {
            var notFound = 0;
            NetlinkException? failure = null;
            NetlinkErrorHandler onError = (index, errno, text) =>
            {
                // Gone already (expired, or deleted by someone else): the goal is met.
                if (errno == Errno.ENOENT) notFound++;
                else failure ??= new NetlinkException("conntrack delete", errno, text);
            };
            var i = 0;
            while (i < entries.Length)
            {
                _batch.Reset();
                while (i < entries.Length && _batch.Length < BatchBytes) ConntrackMessages.WriteDelete(_batch, entries[i++]);
                RequestConnection().Transact(_batch, onError: onError);
            }
            if (failure is not null) throw failure;
            return entries.Length - notFound;
        }
    }

    public int Create(ReadOnlySpan<ConntrackEntry> entries, uint timeoutSeconds)
    {
        lock (_lock)
        {
            var failed = 0;
            NetlinkException? failure = null;
            NetlinkErrorHandler onError = (index, errno, text) =>
            {
                failed++;
                failure ??= new NetlinkException("conntrack create", errno, text);
            };
            var i = 0;
            while (i < entries.Length)
            {
                _batch.Reset();
                while (i < entries.Length && _batch.Length < BatchBytes) ConntrackMessages.WriteCreate(_batch, entries[i++], timeoutSeconds);
                RequestConnection().Transact(_batch, onError: onError);
            }
            if (failure is not null) throw failure;
            return entries.Length - failed;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _dumpConnection?.Dispose();
            _requestConnection?.Dispose();
            _dumpRequest.Dispose();
            _batch.Dispose();
        }
    }

    private NetlinkConnection DumpConnection() => Ensure(ref _dumpConnection);

    private NetlinkConnection RequestConnection() => Ensure(ref _requestConnection);

    private NetlinkConnection Ensure(ref NetlinkConnection? connection)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (connection is { IsFaulted: false }) return connection;
        connection?.Dispose();
        connection = null;
        connection = new NetlinkConnection(_openTransport());
        return connection;
    }
}
