using System.Runtime.InteropServices;

namespace KubeProxy.Lab.Namespaces;

internal static partial class LibC
{
    public const int CLONE_NEWNET = 0x40000000;
    public const int SIGTERM = 15;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int setns(int fd, int nstype);

    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int dup(int fd);

    public static string LastError()
    {
        var errno = Marshal.GetLastPInvokeError();
        return $"errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}";
    }
}
