using Microsoft.Extensions.Logging.Console;

namespace KubeProxy.Logging;

/// <summary>Options of <see cref="KlogConsoleFormatter"/>.</summary>
public sealed class KlogConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>The -v level; decides which Information events are shown and whether stack traces are printed.</summary>
    public int Verbosity { get; set; }

    /// <summary>The clock for the header's timestamp (local time, as klog prints).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The number klog prints after the time (its "threadid", in practice the process id).</summary>
    public int ProcessId { get; set; } = Environment.ProcessId;
}
