using KubeProxy.Lab.Namespaces;
using KubeProxy.Lab.Processes;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Lab.Proxy;

/// <summary>
/// The real kube-proxy (<c>dotnet kube-proxy.dll ARGS</c>, from beside the lab assembly) running in a node
/// namespace via <c>ip netns exec</c>, with its output captured and its metrics at hand. Stopped by SIGTERM
/// (then SIGKILL) on dispose.
/// </summary>
public sealed class KubeProxyProcess : IAsyncDisposable
{
    public const string DefaultMetricsAddress = "127.0.0.1:10249";
    public const string DefaultHealthzAddress = "0.0.0.0:10256";

    private KubeProxyProcess(LabProcess process, KubeProxyMetrics metrics)
    {
        Process = process;
        Metrics = metrics;
        metrics.AbortCheck = () => process.HasExited
            ? $"kube-proxy exited with {process.ExitCode}; output:\n{process.Output.Text}"
            : null;
    }

    public LabProcess Process { get; }

    public KubeProxyMetrics Metrics { get; }

    /// <summary>Everything kube-proxy printed so far, timestamped: print it when a test fails.</summary>
    public string Output => Process.Output.Text;

    /// <summary>kube-proxy.dll next to the lab assembly (the lab project references the executable).</summary>
    public static string DllPath
    {
        get
        {
            var dir = Path.GetDirectoryName(typeof(KubeProxyProcess).Assembly.Location) ?? AppContext.BaseDirectory;
            var path = Path.Combine(dir, "kube-proxy.dll");
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"kube-proxy.dll not found next to the lab assembly in {dir}: build the lab project", path);
        }
    }

    /// <summary>The dotnet host running this process (the SDK exports it to tests), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";

    public static KubeProxyProcess Start(LabNode node, IEnumerable<string> args, ILogger? logger = null,
        IReadOnlyDictionary<string, string>? environment = null) =>
        Start(node.Namespace, $"kube-proxy@{node.Name}", args, logger, environment);

    /// <param name="environment">Extra environment variables (e.g. the API source's test timings), added to the defaults.</param>
    public static KubeProxyProcess Start(NetworkNamespace ns, string displayName, IEnumerable<string> args, ILogger? logger = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var list = args.ToList();
        var metrics = new KubeProxyMetrics(ns,
            FlagValue(list, "--metrics-bind-address") ?? DefaultMetricsAddress,
            FlagValue(list, "--healthz-bind-address") ?? DefaultHealthzAddress);
        try
        {
            var env = new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                env[name] = value;
            }

            var process = LabProcess.StartIn(ns, displayName, DotnetHost, list.Prepend(DllPath), logger, env);
            return new KubeProxyProcess(process, metrics);
        }
        catch
        {
            metrics.Dispose();
            throw;
        }
    }

    /// <summary>Waits for the first completed sync; fails at once (with the output) if kube-proxy exits.</summary>
    public Task<double> WaitForSyncAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Metrics.WaitForSyncAsync(timeout, cancellationToken);

    /// <summary>Waits until each of <paramref name="families"/> has synced once; fails at once if kube-proxy exits.</summary>
    public Task WaitForSyncAsync(IReadOnlyList<string> families, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Metrics.WaitForSyncAsync(families, timeout, cancellationToken);

    public Task<double?> ReadMetricAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default) =>
        Metrics.ReadAsync(name, labels, cancellationToken);

    public Task<int> StopAsync(TimeSpan? grace = null) => Process.StopAsync(grace);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Process.DisposeAsync();
        }
        finally
        {
            Metrics.Dispose();
        }
    }

    public override string ToString() => $"{Process.DisplayName} (pid {Process.Id})";

    /// <summary>The value of <c>--flag=value</c> or <c>--flag value</c>; the last one wins, as with the real flag parser.</summary>
    internal static string? FlagValue(IReadOnlyList<string> args, string flag)
    {
        string? value = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith(flag + "=", StringComparison.Ordinal))
            {
                value = args[i][(flag.Length + 1)..];
            }
            else if (args[i] == flag && i + 1 < args.Count)
            {
                value = args[++i];
            }
        }

        return value;
    }
}
