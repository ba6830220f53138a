using KubeProxy.Configuration;
using KubeProxy.Linux.Cleanup;
using KubeProxy.Nftables;
using KubeProxy.Nftables.Execution;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Hosting;

/// <summary>The one-shot jobs: --cleanup, --init-only, and removing other modes' rules at start.</summary>
internal static partial class Maintenance
{
    /// <summary>--cleanup: remove the rules of every mode, both families; non-zero exit when something failed.</summary>
    public static int Cleanup(ILogger logger)
    {
        var errors = new List<string>();
        errors.AddRange(NftablesCleanup.DeleteTables(new NftProcessRunner()));
        errors.AddRange(IptablesCleanup.Run());
        foreach (var e in errors) Log.CleanupError(logger, e);
        Log.CleanupDone(logger, errors.Count);
        return errors.Count == 0 ? 0 : 1;
    }

    /// <summary>--init-only: the privileged node set-up (conntrack sysctls), then exit.</summary>
    public static int InitOnly(ProxyOptions options, ILogger logger)
    {
        ConntrackSetup.Apply(options.Conntrack, logger);
        return 0;
    }

    /// <summary>Best effort, errors only logged: a node switching modes must not keep two sets of rules.</summary>
    public static void RemoveOtherModesLeftovers(ProxyMode mode, ILogger logger)
    {
        IReadOnlyList<string> errors = mode == ProxyMode.NFTables
            ? IptablesCleanup.Run()
            : NftablesCleanup.DeleteTables(new NftProcessRunner());
        foreach (var e in errors) Log.LeftoverError(logger, e);
    }

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Error, "Cleanup: {Error}")]
        public static partial void CleanupError(ILogger logger, string error);

        [LoggerMessage(4002, LogLevel.Information, "Cleanup finished with {Errors} errors")]
        public static partial void CleanupDone(ILogger logger, int errors);

        [LoggerMessage(4003, LogLevel.Warning, "Removing other proxy modes' rules: {Error}")]
        public static partial void LeftoverError(ILogger logger, string error);
    }
}
