using Microsoft.Extensions.Logging;

namespace KubeProxy.Sources.Tests.Manifests;

/// <summary>Keeps every log entry so tests can assert on warnings and event ids.</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly object _lock = new();
    private readonly List<LogEntry> _entries = [];

    public List<LogEntry> Entries
    {
        get { lock (_lock) return [.. _entries]; }
    }

    public List<LogEntry> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).ToList();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock) _entries.Add(new LogEntry(logLevel, eventId.Id, formatter(state, exception)));
    }
}

internal sealed record LogEntry(LogLevel Level, int EventId, string Message)
{
    public override string ToString() => $"{Level} {EventId}: {Message}";
}
