using System.Text.RegularExpressions;

namespace KubeProxy.Sources.Conversion;

/// <summary>
/// The API server's name and label syntax rules (apimachinery's util/validation). Each check returns null when the
/// value is fine, else the reason. These names reach log lines and rule comments, so they must be checked exactly.
/// </summary>
internal static partial class NameRules
{
    public const int LabelMaxLength = 63;
    public const int SubdomainMaxLength = 253;
    public const int IanaServiceNameMaxLength = 15;

    /// <summary>RFC 1123 label: namespaces, port names, endpoint hostnames.</summary>
    public static string? Dns1123Label(string value)
    {
        if (value.Length > LabelMaxLength) return $"must be no more than {LabelMaxLength} characters";
        return Dns1123LabelRegex().IsMatch(value)
            ? null
            : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')";
    }

    /// <summary>RFC 1035 label: Service names (they become DNS names, so they must start with a letter).</summary>
    public static string? Dns1035Label(string value)
    {
        if (value.Length > LabelMaxLength) return $"must be no more than {LabelMaxLength} characters";
        return Dns1035LabelRegex().IsMatch(value)
            ? null
            : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')";
    }

    /// <summary>RFC 1123 subdomain: EndpointSlice, Node and ServiceCIDR names.</summary>
    public static string? Dns1123Subdomain(string value)
    {
        if (value.Length > SubdomainMaxLength) return $"must be no more than {SubdomainMaxLength} characters";
        return Dns1123SubdomainRegex().IsMatch(value)
            ? null
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
    }

    /// <summary>A label value (may be empty).</summary>
    public static string? LabelValue(string value)
    {
        if (value.Length > LabelMaxLength) return $"must be no more than {LabelMaxLength} characters";
        return value.Length == 0 || QualifiedNamePartRegex().IsMatch(value)
            ? null
            : "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345')";
    }

    /// <summary>A label key or other qualified name: an optional DNS subdomain prefix and '/', then a name part.</summary>
    public static string? QualifiedName(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var name = value;
        if (slash >= 0)
        {
            var prefix = value[..slash];
            name = value[(slash + 1)..];
            if (prefix.Length == 0) return "prefix part must be non-empty";
            if (Dns1123Subdomain(prefix) is { } prefixError) return "prefix part " + prefixError;
            if (name.Contains('/', StringComparison.Ordinal))
                return "a qualified name must consist of an optional DNS subdomain prefix and '/', then a name part";
        }
        if (name.Length == 0) return "name part must be non-empty";
        if (name.Length > LabelMaxLength) return $"name part must be no more than {LabelMaxLength} characters";
        return QualifiedNamePartRegex().IsMatch(name)
            ? null
            : "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc')";
    }

    /// <summary>An IANA service name, the named form of a targetPort (e.g. "http").</summary>
    public static string? IanaServiceName(string value)
    {
        if (value.Length > IanaServiceNameMaxLength) return $"must be no more than {IanaServiceNameMaxLength} characters";
        if (!IanaServiceNameRegex().IsMatch(value)) return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        if (value.Contains("--", StringComparison.Ordinal)) return "must not contain consecutive hyphens";
        if (!value.Any(char.IsAsciiLetterLower)) return "must contain at least one letter (a-z)";
        if (value[0] == '-' || value[^1] == '-') return "must not begin or end with a hyphen";
        return null;
    }

    /// <summary>A port number 1..65535 ("0" is not a port).</summary>
    public static string? PortNumber(int value) =>
        value is >= 1 and <= 65535 ? null : "must be between 1 and 65535";

    // \z, not $: $ also matches before a trailing newline, which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123LabelRegex();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035LabelRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123SubdomainRegex();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedNamePartRegex();

    [GeneratedRegex(@"^[-a-z0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex IanaServiceNameRegex();
}
