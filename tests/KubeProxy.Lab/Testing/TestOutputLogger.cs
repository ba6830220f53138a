using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KubeProxy.Lab.Testing;

/// <summary>
/// An ILogger writing to a test's output. Lines arriving after the test ended (background listeners, process
/// output) are dropped instead of failing the run.
/// </summary>
public sealed class TestOutputLogger : ILogger
{
    private readonly ITestOutputHelper _output;
    private readonly string _category;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly LogLevel _minimum;

    public TestOutputLogger(ITestOutputHelper output, string category = "lab", LogLevel minimum = LogLevel.Information, TimeProvider? time = null)
    {
        _output = output;
        _category = category;
        _minimum = minimum;
        _time = time ?? TimeProvider.System;
        _started = _time.GetUtcNow();
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= _minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var elapsed = (_time.GetUtcNow() - _started).TotalSeconds;
        var line = $"+{elapsed,7:F3} {logLevel.ToString()[..4].ToLowerInvariant()} {_category}: {formatter(state, exception)}";
        if (exception is not null)
        {
            line += $"\n{exception}";
        }

        try
        {
            _output.WriteLine(line);
        }
        catch (InvalidOperationException)
        {
            // The test has finished; its output is closed.
        }
    }
}
