using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Sync;

/// <summary>
/// One proxy mode for one IP family: turns a snapshot into kernel state. It keeps its own record of what it
/// believes the kernel holds, so a partial sync sends only the difference; after a failure the engine asks for a
/// full sync. It must never remove rules because a source went away.
/// </summary>
public interface IDataPlane
{
    string Mode { get; }

    IPFamily Family { get; }

    /// <summary>Apply the snapshot. Throws <see cref="SyncFailedException"/> (or any exception) on failure.</summary>
    SyncResult Sync(ProxySnapshot snapshot, bool fullSync, CancellationToken cancellationToken);
}

/// <summary>What a sync did, for logs and metrics.</summary>
public sealed record SyncResult(bool FullSync, int ChangedServices, TimeSpan RenderTime, TimeSpan ApplyTime, long TransactionBytes);

public sealed class SyncFailedException : Exception
{
    public SyncFailedException(string message, Exception? inner = null) : base(message, inner) { }
}
