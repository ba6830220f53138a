namespace KubeProxy.Lab;

/// <summary>Building a lab failed; whatever it had created is already removed again.</summary>
public sealed class LabBuildException : Exception
{
    public LabBuildException(string prefix, Exception innerException)
        : base($"lab {prefix}: build failed (partial lab removed): {innerException.Message}", innerException)
    {
        Prefix = prefix;
    }

    public LabBuildException()
    {
        Prefix = "";
    }

    public LabBuildException(string message)
        : base(message)
    {
        Prefix = "";
    }

    /// <summary>The namespace prefix of the failed lab.</summary>
    public string Prefix { get; }
}
