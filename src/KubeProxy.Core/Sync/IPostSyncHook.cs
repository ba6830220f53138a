using KubeProxy.Core.Snapshot;

namespace KubeProxy.Core.Sync;

/// <summary>
/// Work that follows a successful sync of a family: conntrack cleanup, service health-check servers.
/// Runs on the sync thread; must not throw (a failing hook is logged and does not fail the sync).
/// </summary>
public interface IPostSyncHook
{
    void AfterSync(ProxySnapshot snapshot, bool fullSync);
}
