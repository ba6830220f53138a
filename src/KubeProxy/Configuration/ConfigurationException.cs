namespace KubeProxy.Configuration;

/// <summary>
/// A configuration that cannot be used: a file that does not decode, a wrong apiVersion or kind, or values that
/// fail validation. The message is one line, ready to print before exiting with status 1.
/// </summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigurationException(IReadOnlyList<FieldError> errors)
        : base(FieldError.Join(errors))
    {
        Errors = errors;
    }

    /// <summary>The validation errors, when the exception comes from validation.</summary>
    public IReadOnlyList<FieldError> Errors { get; } = [];
}
