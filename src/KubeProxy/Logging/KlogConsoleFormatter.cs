using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace KubeProxy.Logging;

/// <summary>
/// Writes each event as one klog-style line, the format kube-proxy operators grep for:
/// <c>I1126 13:55:00.123456    1234 Proxier] message err="..."</c> — severity letter (I, W, E, F), month and
/// day, local time with microseconds, process id, the last part of the logger category, then the message.
/// Newlines inside the message or exception are escaped so an event never spans lines.
/// </summary>
public sealed class KlogConsoleFormatter : ConsoleFormatter, IDisposable
{
    public const string FormatterName = "klog";

    private readonly IDisposable? _reload;
    private KlogConsoleFormatterOptions _options;

    public KlogConsoleFormatter(IOptionsMonitor<KlogConsoleFormatterOptions> options)
        : base(FormatterName)
    {
        _options = options.CurrentValue;
        _reload = options.OnChange(o => _options = o);
    }

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var options = _options;
        if (!KlogVerbosity.IsShown(options.Verbosity, logEntry.LogLevel, logEntry.EventId))
        {
            return;
        }

        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(Format(options, logEntry.LogLevel, logEntry.Category, message, logEntry.Exception));
    }

    /// <summary>One formatted line, newline included.</summary>
    internal static string Format(KlogConsoleFormatterOptions options, LogLevel level, string category, string? message, Exception? exception)
    {
        var now = options.TimeProvider.GetLocalNow();
        var sb = new StringBuilder(128);
        sb.Append(Severity(level));
        sb.Append(now.ToString("MMdd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        sb.Append(' ').Append(options.ProcessId.ToString(CultureInfo.InvariantCulture).PadLeft(7));
        sb.Append(' ').Append(ShortCategory(category)).Append("] ");
        AppendEscaped(sb, message ?? string.Empty);
        if (exception is not null)
        {
            sb.Append(" err=\"");
            AppendEscaped(sb, exception.GetType().Name + ": " + exception.Message, quote: true);
            sb.Append('"');
            if (options.Verbosity >= 4 && exception.StackTrace is { } stack)
            {
                sb.Append(" stack=\"");
                AppendEscaped(sb, stack, quote: true);
                sb.Append('"');
            }
        }

        return sb.Append('\n').ToString();
    }

    private static char Severity(LogLevel level) => level switch
    {
        LogLevel.Warning => 'W',
        LogLevel.Error => 'E',
        LogLevel.Critical => 'F',
        _ => 'I',
    };

    // klog shows the source file; the last part of the category ("Proxier" of "KubeProxy.Nftables.Proxier")
    // plays that role here.
    private static string ShortCategory(string category)
    {
        var generic = category.IndexOf('[', StringComparison.Ordinal);
        var plain = generic < 0 ? category : category[..generic];
        var dot = plain.LastIndexOf('.');
        return dot < 0 ? plain : plain[(dot + 1)..];
    }

    private static void AppendEscaped(StringBuilder sb, string text, bool quote = false)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '"' when quote:
                    sb.Append("\\\"");
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
    }

    public void Dispose() => _reload?.Dispose();
}
