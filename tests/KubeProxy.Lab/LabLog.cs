using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab;

internal static partial class LabLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "lab {Prefix}: started in {ElapsedMs} ms: {Description}")]
    public static partial void LabStarted(ILogger logger, string prefix, long elapsedMs, string description);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "lab {Prefix}: torn down, {Count} namespaces deleted")]
    public static partial void LabStopped(ILogger logger, string prefix, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "lab {Prefix}: teardown problem: {Problem}")]
    public static partial void TeardownProblem(ILogger logger, string prefix, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "stale lab namespace {Namespace} (run {RunId} is gone): deleting")]
    public static partial void SweepingStale(ILogger logger, string @namespace, string runId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "lab {Prefix}: {Step} done at {ElapsedMs} ms")]
    public static partial void BuildStep(ILogger logger, string prefix, string step, long elapsedMs);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "{Name}: started pid {Pid}: {CommandLine}")]
    public static partial void ProcessStarted(ILogger logger, string name, int pid, string commandLine);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "{Name}: pid {Pid} exited with {ExitCode}")]
    public static partial void ProcessExited(ILogger logger, string name, int pid, int exitCode);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "{Name}: pid {Pid} ignored SIGTERM for {Grace}: killing")]
    public static partial void ProcessKilled(ILogger logger, string name, int pid, TimeSpan grace);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "{Name}: SIGTERM to pid {Pid} failed: {Error}")]
    public static partial void SignalFailed(ILogger logger, string name, int pid, string error);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "{Name}: {What} after {ElapsedMs} ms")]
    public static partial void ProxyWaited(ILogger logger, string name, string what, long elapsedMs);

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "echo {Name} in {Namespace}: listening on {Listens}")]
    public static partial void EchoStarted(ILogger logger, string name, string @namespace, string listens);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "echo {Name} in {Namespace}: {Spec} not started: {Reason}")]
    public static partial void EchoUnsupported(ILogger logger, string name, string @namespace, string spec, string reason);
}
