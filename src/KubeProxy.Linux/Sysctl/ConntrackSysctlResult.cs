namespace KubeProxy.Linux.Sysctl;

/// <summary>What <see cref="ConntrackSysctls.Apply"/> changed, and what it could not change because of a read-only mount.</summary>
public sealed record ConntrackSysctlResult(IReadOnlyList<string> Written, IReadOnlyList<string> ReadOnly)
{
    /// <summary>Upstream raises a node event (reason StartKubeProxy) when this is set.</summary>
    public bool HadReadOnly => ReadOnly.Count > 0;
}
