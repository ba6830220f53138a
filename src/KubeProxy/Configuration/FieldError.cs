using System.Globalization;

namespace KubeProxy.Configuration;

/// <summary>The kinds of field error upstream's validation reports (k8s.io/apimachinery field.ErrorType).</summary>
public enum FieldErrorType
{
    Invalid,
    NotSupported,
}

/// <summary>
/// One validation problem, named by its path in the config file (e.g. <c>KubeProxyConfiguration.clusterCIDR</c>)
/// and printed in the apimachinery style:
/// <c>KubeProxyConfiguration.clusterCIDR: Invalid value: "10.0.0.0/33": must be a valid CIDR</c>.
/// </summary>
public sealed record FieldError(string Path, FieldErrorType Type, object? Value, string Detail)
{
    /// <summary>The root every path starts with, as upstream names it.</summary>
    public const string Root = "KubeProxyConfiguration";

    public static FieldError Invalid(string path, object? value, string detail) =>
        new(Root + "." + path, FieldErrorType.Invalid, value, detail);

    public static FieldError NotSupported(string path, object? value, IEnumerable<string> supported) =>
        new(Root + "." + path, FieldErrorType.NotSupported, value,
            "supported values: " + string.Join(", ", supported.Select(s => "\"" + s + "\"")));

    public override string ToString()
    {
        var kind = Type == FieldErrorType.Invalid ? "Invalid value" : "Unsupported value";
        return Path + ": " + kind + ": " + FormatValue(Value) + ": " + Detail;
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        GoDuration d => d.ToString(),
        IEnumerable<string> list => "[]string{" + string.Join(", ", list.Select(s => "\"" + s + "\"")) + "}",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>One line for several errors, as upstream's aggregate error prints them: "[a, b]".</summary>
    public static string Join(IReadOnlyList<FieldError> errors) =>
        errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors) + "]";
}
