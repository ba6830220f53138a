using System.Runtime.InteropServices;
using KubeProxy.Cli;
using KubeProxy.Configuration;
using KubeProxy.Core.Sources;
using KubeProxy.Hosting;
using KubeProxy.Http;
using KubeProxy.Logging;
using KubeProxy.Sources.Kubernetes;
using KubeProxy.Sources.Manifests;
using Microsoft.Extensions.Logging;

namespace KubeProxy;

internal static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        var result = KubeProxyCommandLine.Parse(args);
        if (result.Execute(Console.Out, Console.Error) is int exitCode) return exitCode;

        var options = result.Options!;
        using var loggerFactory = LoggingSetup.Create(options.Verbosity, options.LoggingFormat);
        var logger = loggerFactory.CreateLogger("kube-proxy");
        foreach (var warning in result.Warnings) Log.Warning(logger, warning);

        switch (result.Action)
        {
            case CliAction.Cleanup:
                return Maintenance.Cleanup(logger);
            case CliAction.InitOnly:
                return Maintenance.InitOnly(options, logger);
        }

        var (source, events) = CreateSource(options, loggerFactory, logger);
        if (source is null) return 1;
        await using var eventsLifetime = events;

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });

        using var watcher = result.ConfigFile is { } configFile
            ? new ConfigFileWatcher(configFile, reason =>
            {
                // As upstream: exit so the supervisor restarts us with the new file. Rules stay in place.
                Log.ConfigChanged(logger, configFile, reason);
                Environment.Exit(1);
            }, initialContentHash: result.ConfigContentHash)
            : null;
        watcher?.Start();

        Maintenance.RemoveOtherModesLeftovers(options.Mode, logger);
        ConntrackSetup.Apply(options.Conntrack, logger);
        var host = new ProxyHost(options, loggerFactory, Configz.Render(result.Configuration!), events: events);
        return await host.RunAsync(source, stop.Token).ConfigureAwait(false);
    }

    /// <summary>The source, and with the API source the recorder of events about Services (a manifest directory has no API to post to).</summary>
    private static (IProxySource? Source, ServiceEventRecorder? Events) CreateSource(ProxyOptions options, ILoggerFactory loggerFactory, ILogger logger)
    {
        if (options.ManifestsDirectory is { } directory)
        {
            if (!Directory.Exists(directory))
            {
                Log.NoSuchDirectory(logger, directory);
                return (null, null);
            }
            return (new ManifestSource(directory, options.NodeName, loggerFactory.CreateLogger("manifests"), TimeProvider.System), null);
        }

        var connection = options.ClientConnection;
        if (!KubernetesConnection.TryCreate(connection.Kubeconfig, connection.Master, connection.Qps, connection.Burst, out var client, out var error))
        {
            Log.NoSource(logger, error);
            return (null, null);
        }
        var (sourceOptions, warnings) = ApiSourceTuning.Apply(
            new KubernetesApiSourceOptions { NodeName = options.NodeName, ResyncPeriod = options.ConfigSyncPeriod },
            Environment.GetEnvironmentVariable);
        foreach (var warning in warnings) Log.Warning(logger, warning);
        return (new KubernetesApiSource(client, sourceOptions, loggerFactory),
            new ServiceEventRecorder(client, loggerFactory.CreateLogger<ServiceEventRecorder>()));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Message}")]
        public static partial void Warning(ILogger logger, string message);

        [LoggerMessage(2, LogLevel.Error, "Configuration file {File} changed ({Reason}); exiting so that the new configuration is loaded")]
        public static partial void ConfigChanged(ILogger logger, string file, string reason);

        [LoggerMessage(3, LogLevel.Error, "--manifests directory {Directory} does not exist")]
        public static partial void NoSuchDirectory(ILogger logger, string directory);

        [LoggerMessage(4, LogLevel.Error, "Cannot reach the Kubernetes API: {Error}")]
        public static partial void NoSource(ILogger logger, string error);
    }
}
