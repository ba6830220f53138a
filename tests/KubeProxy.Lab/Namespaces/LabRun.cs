using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace KubeProxy.Lab.Namespaces;

/// <summary>
/// One lab's identity: a random run id, the namespace prefix built from it (<c>kpl-a1b2c3-</c>) and a lock file
/// held for the lab's lifetime. The lock lets a later run tell a live lab (lock held, maybe in another process)
/// from the leftovers of a crashed one (lock free) before sweeping.
/// </summary>
public sealed partial class LabRun : IDisposable
{
    public const string Family = "kpl-";
    public const string LockDirectory = "/run/kubeproxy-lab";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    private readonly FileStream _lock;

    private LabRun(string id, FileStream lockFile)
    {
        Id = id;
        _lock = lockFile;
    }

    /// <summary>Six random characters, e.g. <c>a1b2c3</c>.</summary>
    public string Id { get; }

    /// <summary>The prefix of every namespace of this run, e.g. <c>kpl-a1b2c3-</c>.</summary>
    public string Prefix => $"{Family}{Id}-";

    public static LabRun Create()
    {
        Directory.CreateDirectory(LockDirectory);
        while (true)
        {
            var id = RandomNumberGenerator.GetString(Alphabet, 6);
            var path = LockPath(id);
            try
            {
                // FileShare.None makes .NET take flock(LOCK_EX): held until disposed or the process dies.
                var lockFile = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
                lockFile.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
                lockFile.Flush();
                return new LabRun(id, lockFile);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Id already taken: draw again.
            }
        }
    }

    /// <summary>The run id of a namespace name of this family, or null for any other name.</summary>
    public static string? RunIdOf(string namespaceName)
    {
        var match = NamePattern().Match(namespaceName);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Whether a run's lock is still held by a live lab (in this or another process).</summary>
    public static bool IsAlive(string runId)
    {
        var path = LockPath(runId);
        if (!File.Exists(path))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    internal static string LockPath(string runId) => $"{LockDirectory}/{runId}.lock";

    internal static void DeleteLock(string runId)
    {
        try
        {
            File.Delete(LockPath(runId));
        }
        catch (IOException)
        {
        }
    }

    public void Dispose()
    {
        // Delete first, while holding the lock, so no sweeper can see a free lock of a run still tearing down.
        DeleteLock(Id);
        _lock.Dispose();
    }

    [GeneratedRegex("^kpl-([a-z0-9]{6})-")]
    private static partial Regex NamePattern();
}
