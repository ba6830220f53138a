using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace KubeProxy.Sources.Conversion;

/// <summary>
/// Builds rejection reasons in the API server's own format (<c>path: Invalid value: 70000: detail</c>), so an
/// operator who knows kubectl's messages recognises ours. Validation stops at the first problem: the caller reports
/// one reason per object.
/// </summary>
internal static class FieldError
{
    public static InvalidFieldException Invalid(string path, object? value, string detail) =>
        new($"{path}: Invalid value: {Format(value)}: {detail}");

    public static InvalidFieldException Required(string path, string detail = "") =>
        new(detail.Length == 0 ? $"{path}: Required value" : $"{path}: Required value: {detail}");

    public static InvalidFieldException NotSupported(string path, object? value, params string[] supported) =>
        new($"{path}: Unsupported value: {Format(value)}: supported values: {string.Join(", ", supported.Select(s => Format(s)))}");

    public static InvalidFieldException Duplicate(string path, object? value) =>
        new($"{path}: Duplicate value: {Format(value)}");

    public static InvalidFieldException Forbidden(string path, string detail) =>
        new($"{path}: Forbidden: {detail}");

    public static InvalidFieldException TooMany(string path, int actual, int max) =>
        new($"{path}: Too many: {actual}: must have at most {max} items");

    /// <summary>Strings quoted and escaped (as Go's %q would), numbers bare, lists bracketed.</summary>
    internal static string Format(object? value) => value switch
    {
        null => "null",
        string s => JsonSerializer.Serialize(s),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Format)) + "]",
        _ => JsonSerializer.Serialize(value.ToString()),
    };
}

/// <summary>Thrown inside the converter to abandon an object at its first invalid field; never escapes it.</summary>
internal sealed class InvalidFieldException(string message) : Exception(message);
