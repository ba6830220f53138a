using KubeProxy.Core.Model;

namespace KubeProxy.Linux.Conntrack;

/// <summary>The connection-tracking table of one network namespace. <see cref="ConntrackClient"/> is the kernel (ctnetlink); <see cref="FakeConntrack"/> is a list.</summary>
public interface IConntrack
{
    /// <summary>
    /// Streams the entries of <paramref name="family"/> (and of one L4 protocol, or all when 0) to
    /// <paramref name="visitor"/>. The visitor may call <see cref="Delete"/> meanwhile. Returns the number visited.
    /// </summary>
    long Dump(IPFamily family, byte protocol, ConntrackEntryVisitor visitor);

    /// <summary>
    /// Deletes entries by original tuple and zone (and id, when known). Returns how many the kernel removed;
    /// entries already gone are not errors. Other failures throw once every entry has been tried.
    /// </summary>
    int Delete(ReadOnlySpan<ConntrackEntry> entries);

    /// <summary>Inserts entries that expire after <paramref name="timeoutSeconds"/> (tests and benchmarks). Returns how many were created.</summary>
    int Create(ReadOnlySpan<ConntrackEntry> entries, uint timeoutSeconds);
}
