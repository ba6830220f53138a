using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KubeProxy.Logging;

/// <summary>
/// Sets up Microsoft.Extensions.Logging like klog: everything on stderr, one line per event, filtered by the
/// <c>-v</c> level (see <see cref="KlogVerbosity"/>). Format "json" uses the built-in JSON console formatter
/// instead of the klog text lines. Dispose the factory before exiting so queued lines are written.
/// </summary>
public static class LoggingSetup
{
    public static ILoggerFactory Create(int verbosity, string format = "text", TimeProvider? timeProvider = null) =>
        LoggerFactory.Create(builder => Configure(builder, verbosity, format, timeProvider));

    /// <summary>The same set-up applied to an existing builder (for a generic host).</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder builder, int verbosity, string format = "text", TimeProvider? timeProvider = null)
    {
        builder.ClearProviders();
        builder.SetMinimumLevel(KlogVerbosity.MinimumLevel(verbosity));
        var json = string.Equals(format, "json", StringComparison.Ordinal);
        builder.AddConsole(o =>
        {
            o.FormatterName = json ? ConsoleFormatterNames.Json : KlogConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        });
        if (json)
        {
            builder.AddJsonConsole(o => o.UseUtcTimestamp = true);

            // A level filter cannot see event ids, so in JSON format -v 0-1 shows warnings and errors only.
            if (verbosity < 2)
            {
                builder.AddFilter<ConsoleLoggerProvider>((_, level) => level > LogLevel.Information);
            }
        }
        else
        {
            builder.AddConsoleFormatter<KlogConsoleFormatter, KlogConsoleFormatterOptions>(o =>
            {
                o.Verbosity = verbosity;
                o.TimeProvider = timeProvider ?? TimeProvider.System;
            });
        }

        return builder;
    }
}
