using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace KubeProxy.Linux.Netlink;

/// <summary>
/// Runs a short piece of code inside another network namespace. setns() changes only the calling thread, so this
/// uses a dedicated thread that switches, runs, switches back and ends: thread-pool threads never change namespace.
/// Sockets created inside stay bound to that namespace for their whole life, whichever thread later uses them.
/// </summary>
public static class NetworkNamespace
{
    public static string PathOf(string name) => Path.Combine("/run/netns", name);

    public static T Run<T>(string namespacePath, Func<T> action)
    {
        T? result = default;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = RunOnThisThread(namespacePath, action);
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }

    private static T RunOnThisThread<T>(string namespacePath, Func<T> action)
    {
        using var original = File.OpenHandle("/proc/thread-self/ns/net");
        using var target = File.OpenHandle(namespacePath);
        if (NetlinkNative.SetNs((int)target.DangerousGetHandle(), NetlinkNative.CloneNewnet) != 0)
            throw new NetlinkException($"setns {namespacePath}", Marshal.GetLastPInvokeError());
        T result;
        try
        {
            result = action();
        }
        catch
        {
            NetlinkNative.SetNs((int)original.DangerousGetHandle(), NetlinkNative.CloneNewnet);
            throw;
        }
        // The thread ends right after this, so even a failed switch back cannot leak the namespace further.
        if (NetlinkNative.SetNs((int)original.DangerousGetHandle(), NetlinkNative.CloneNewnet) != 0)
            throw new NetlinkException("setns back to the original namespace", Marshal.GetLastPInvokeError());
        return result;
    }
}
