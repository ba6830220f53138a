using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;

namespace KubeProxy.Core.Tests.Support;

/// <summary>An <see cref="IDataPlane"/> that records every Sync call and can be told to fail.</summary>
internal sealed class FakeDataPlane(IPFamily family) : IDataPlane
{
    private readonly object _lock = new();
    private readonly List<SyncCall> _calls = [];

    public sealed record SyncCall(ProxySnapshot Snapshot, bool FullSync, bool Failed);

    public string Mode => "fake";

    public IPFamily Family { get; } = family;

    /// <summary>Number of upcoming Sync calls that throw.</summary>
    public int FailNext { get; set; }

    public IReadOnlyList<SyncCall> Calls
    {
        get { lock (_lock) return _calls.ToList(); }
    }

    public SyncCall Last => Calls[^1];

    public SyncResult Sync(ProxySnapshot snapshot, bool fullSync, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var fail = FailNext > 0;
            if (fail) FailNext--;
            _calls.Add(new SyncCall(snapshot, fullSync, fail));
            if (fail) throw new SyncFailedException("injected failure");
        }
        return new SyncResult(fullSync, snapshot.ChangedServices.Count, TimeSpan.Zero, TimeSpan.Zero, 0);
    }
}
