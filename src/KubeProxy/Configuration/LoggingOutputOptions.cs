namespace KubeProxy.Configuration;

/// <summary><c>logging.options.text</c> / <c>logging.options.json</c>: output routing of one log format.</summary>
public sealed class LoggingOutputOptions
{
    /// <summary><c>splitStream</c>: errors to stderr, info to buffered stdout.</summary>
    public bool SplitStream { get; set; }

    /// <summary><c>infoBufferSize</c>: a Kubernetes quantity ("0", "64Ki"), kept as text.</summary>
    public string InfoBufferSize { get; set; } = string.Empty;

    public LoggingOutputOptions Clone() => (LoggingOutputOptions)MemberwiseClone();
}
