namespace KubeProxy.Linux.Sysctl;

/// <summary>
/// Reads and writes kernel tunables by absolute path (/proc/sys/..., /sys/module/...). <see cref="FileSysctl"/>
/// uses the files (under an optional root, so tests use a temp dir); <see cref="FakeSysctl"/> is a dictionary.
/// </summary>
public interface ISysctl
{
    /// <summary>The trimmed content, or null when the file does not exist.</summary>
    string? Read(string path);

    /// <exception cref="SysctlReadOnlyException">The file system or the file refuses writes (read-only /proc or /sys in a container).</exception>
    void Write(string path, string value);
}
