namespace KubeProxy.Configuration;

/// <summary>
/// <c>logging</c>: component-base logging settings (logs/api/v1 LoggingConfiguration). We honour
/// <c>verbosity</c> and <c>format</c>; the rest is kept so upstream files load and write back unchanged.
/// </summary>
public sealed class LoggingConfiguration
{
    /// <summary><c>format</c>: "text" (klog style) or "json".</summary>
    public string Format { get; set; } = string.Empty;

    /// <summary><c>flushFrequency</c>: how often buffered logs are flushed.</summary>
    public GoDuration FlushFrequency { get; set; }

    /// <summary><c>verbosity</c>: the klog -v level.</summary>
    public int Verbosity { get; set; }

    /// <summary><c>vmodule</c>: per-file verbosity overrides (accepted, not applied per file by us).</summary>
    public List<VModuleItem>? VModule { get; set; }

    /// <summary><c>options.text</c>.</summary>
    public LoggingOutputOptions Text { get; set; } = new();

    /// <summary><c>options.json</c>.</summary>
    public LoggingOutputOptions Json { get; set; } = new();

    public LoggingConfiguration Clone()
    {
        var copy = (LoggingConfiguration)MemberwiseClone();
        copy.VModule = VModule is null ? null : [.. VModule];
        copy.Text = Text.Clone();
        copy.Json = Json.Clone();
        return copy;
    }
}

/// <summary>One <c>vmodule</c> entry: a file pattern and its verbosity.</summary>
public sealed record VModuleItem(string FilePattern, int Verbosity);
