namespace KubeProxy.Linux.Sysctl;

/// <summary>In-memory tunables for unit tests; records writes and can pretend paths are read-only.</summary>
public sealed class FakeSysctl : ISysctl
{
    public Dictionary<string, string> Values { get; } = [];

    /// <summary>Paths (or path prefixes such as "/sys/") whose writes fail as on a read-only mount.</summary>
    public HashSet<string> ReadOnly { get; } = [];

    public List<(string Path, string Value)> Writes { get; } = [];

    public string? Read(string path) => Values.TryGetValue(path, out var value) ? value : null;

    public void Write(string path, string value)
    {
        if (ReadOnly.Any(path.StartsWith)) throw new SysctlReadOnlyException(path);
        Writes.Add((path, value));
        Values[path] = value;
    }
}
