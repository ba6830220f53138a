namespace KubeProxy.Linux.Sysctl;

/// <summary>A tunable could not be written because /proc or /sys (or the file) is read-only to us.</summary>
public sealed class SysctlReadOnlyException : IOException
{
    public SysctlReadOnlyException(string path, Exception? innerException = null)
        : base($"{path} is read-only", innerException)
    {
        Path = path;
    }

    public SysctlReadOnlyException()
        : this("(unknown)")
    {
    }

    public SysctlReadOnlyException(string message, string path)
        : base(message)
    {
        Path = path;
    }

    public string Path { get; }
}
