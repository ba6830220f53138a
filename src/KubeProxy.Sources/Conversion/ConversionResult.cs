namespace KubeProxy.Sources.Conversion;

/// <summary>The outcome of converting one API object: a value, a validation error, or "ignored on purpose".</summary>
public readonly record struct ConversionResult<T>(T? Value, string? Error, bool Ignored)
    where T : class
{
    public static ConversionResult<T> Ok(T value) => new(value, null, false);

    public static ConversionResult<T> Invalid(string reason) => new(null, reason, false);

    /// <summary>Not an error: the object is simply not for kube-proxy (e.g. an FQDN EndpointSlice).</summary>
    public static ConversionResult<T> Skip(string reason) => new(null, reason, true);

    public bool IsOk => Value is not null;
}
