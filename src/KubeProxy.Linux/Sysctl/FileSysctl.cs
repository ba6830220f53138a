using KubeProxy.Linux.Netlink;

namespace KubeProxy.Linux.Sysctl;

/// <summary>Tunables as files. <see cref="Root"/> prefixes every path: "/" on a node, a temp directory in tests.</summary>
public sealed class FileSysctl : ISysctl
{
    public FileSysctl(string root = "/")
    {
        Root = root;
    }

    public string Root { get; }

    public string? Read(string path)
    {
        var full = Resolve(path);
        return File.Exists(full) ? File.ReadAllText(full).Trim() : null;
    }

    public void Write(string path, string value)
    {
        var full = Resolve(path);
        try
        {
            // O_TRUNC and one write() of the whole value, as `echo v > file` does: procfs and sysfs parse a single write.
            using var handle = File.OpenHandle(full, FileMode.Truncate, FileAccess.Write);
            RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(value + "\n"), 0);
        }
        catch (UnauthorizedAccessException e)
        {
            // EACCES/EPERM: a read-only mode (non-init netns) or a container without the capability.
            throw new SysctlReadOnlyException(path, e);
        }
        catch (IOException e) when (e.HResult == Errno.EROFS)
        {
            // .NET reports errnos it has no exception type for as IOException with the errno as HResult.
            throw new SysctlReadOnlyException(path, e);
        }
    }

    private string Resolve(string path) => Root == "/" ? path : System.IO.Path.Join(Root, path);
}
