using KubeProxy.Lab.Processes;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab.Namespaces;

/// <summary>
/// Deletes namespaces of the lab family left behind by runs that died without tearing down (killed test host,
/// crash). Only names matching <c>kpl-XXXXXX-</c> whose run lock is free are touched; live labs in this or any
/// other process hold their lock.
/// </summary>
public static class StaleNamespaceSweeper
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _swept;

    /// <summary>Sweeps once per process; later calls return at once.</summary>
    public static async Task SweepOnceAsync(ILogger logger)
    {
        await Once.WaitAsync();
        try
        {
            if (!_swept)
            {
                await SweepAsync(logger);
                _swept = true;
            }
        }
        finally
        {
            Once.Release();
        }
    }

    /// <summary>Deletes every stale lab namespace now; returns the names deleted.</summary>
    public static async Task<IReadOnlyList<string>> SweepAsync(ILogger logger)
    {
        var deleted = new List<string>();
        var staleRuns = new HashSet<string>();
        foreach (var name in NetworkNamespace.List())
        {
            var runId = LabRun.RunIdOf(name);
            if (runId is null || LabRun.IsAlive(runId))
            {
                continue;
            }

            LabLog.SweepingStale(logger, name, runId);
            staleRuns.Add(runId);
            var ns = new NetworkNamespace(name);
            // Leftover kube-proxy or echo-server processes of the dead run would keep the namespace alive.
            foreach (var pid in await ns.PidsAsync())
            {
                _ = LibC.kill(pid, 9);
            }

            var result = await CommandRunner.RunAsync("ip", ["netns", "del", name]);
            if (result.Succeeded)
            {
                deleted.Add(name);
            }
        }

        foreach (var runId in staleRuns)
        {
            LabRun.DeleteLock(runId);
        }

        return deleted;
    }
}
