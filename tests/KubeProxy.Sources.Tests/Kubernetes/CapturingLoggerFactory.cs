using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KubeProxy.Sources.Tests.Kubernetes;

internal sealed record LogLine(LogLevel Level, string Category, string Message)
{
    public override string ToString() => $"{Level} {Message}";
}

/// <summary>Keeps every log line for assertions and echoes it to the test output (seen when a test fails).</summary>
internal sealed class CapturingLoggerFactory(ITestOutputHelper? output = null) : ILoggerFactory
{
    private readonly ConcurrentQueue<LogLine> _lines = new();

    public IReadOnlyList<LogLine> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private void Write(LogLine line)
    {
        _lines.Enqueue(line);
        try
        {
            output?.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished; late lines from background loops are dropped.
        }
    }

    private sealed class Logger(CapturingLoggerFactory factory, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            factory.Write(new LogLine(logLevel, category, formatter(state, exception)));
    }
}
