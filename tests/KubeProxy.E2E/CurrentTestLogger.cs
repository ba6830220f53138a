using Microsoft.Extensions.Logging;

namespace KubeProxy.E2E;

/// <summary>
/// The shared cluster's logger: it lives for the whole run, so it writes to whichever test is running now
/// (tests of the collection run one at a time), and drops lines between tests.
/// </summary>
public sealed class CurrentTestLogger : ILogger
{
    private volatile ILogger? _target;

    public void Attach(ILogger target) => _target = target;

    public void Detach() => _target = null;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => _target?.IsEnabled(logLevel) ?? false;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _target?.Log(logLevel, eventId, state, exception, formatter);
}
