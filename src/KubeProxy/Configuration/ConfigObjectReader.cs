using System.Globalization;
using System.Text.Json.Nodes;

namespace KubeProxy.Configuration;

/// <summary>
/// Reads the fields of one object of the config tree by name, with Go's JSON typing (a string field needs a
/// string, an int32 field an integral number that fits). Every field asked for is remembered, so
/// <see cref="Finish"/> can name the ones nobody asked for: upstream's strict decoding reports those as
/// "unknown field". Field names are case-sensitive, as in upstream.
/// </summary>
internal sealed class ConfigObjectReader
{
    private readonly JsonObject _object;
    private readonly string _path;
    private readonly ConfigDecodeProblems _problems;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public ConfigObjectReader(JsonObject obj, string path, ConfigDecodeProblems problems)
    {
        _object = obj;
        _path = path;
        _problems = problems;
    }

    private string PathOf(string name) => _path.Length == 0 ? name : _path + "." + name;

    private JsonNode? Take(string name)
    {
        _known.Add(name);
        return _object.TryGetPropertyValue(name, out var node) ? node : null;
    }

    public string? String(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out string? s))
        {
            return s;
        }

        Mismatch(name, node, "string");
        return null;
    }

    public bool? Bool(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out bool b))
        {
            return b;
        }

        Mismatch(name, node, "bool");
        return null;
    }

    public int? Int32(string name) => Integer(name, int.MinValue, int.MaxValue, "int32");

    public int? UInt32AsInt(string name) => Integer(name, 0, int.MaxValue, "uint32");

    private int? Integer(string name, long min, long max, string typeName)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (TryGetIntegral(node, out var value) && value >= min && value <= max)
        {
            return (int)value;
        }

        Mismatch(name, node, typeName);
        return null;
    }

    // A YAML float such as 14.0 turns into the JSON number 14 on its way through JSON upstream, so it fits an
    // integer field there; 14.5 does not.
    private static bool TryGetIntegral(JsonNode node, out long value)
    {
        value = 0;
        if (node is not JsonValue v)
        {
            return false;
        }

        if (v.TryGetValue(out long l))
        {
            value = l;
            return true;
        }

        if (v.TryGetValue(out double d) && double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) < 9.2e18)
        {
            value = (long)d;
            return true;
        }

        return false;
    }

    public float? Float32(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v)
        {
            if (v.TryGetValue(out long l))
            {
                return l;
            }

            if (v.TryGetValue(out double d) && double.IsFinite(d))
            {
                return (float)d;
            }
        }

        Mismatch(name, node, "float32");
        return null;
    }

    /// <summary>A Go duration string ("30s"); with <paramref name="allowNanoseconds"/> also a number of ns.</summary>
    public GoDuration? Duration(string name, bool allowNanoseconds = false)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.TryGetValue(out string? s))
        {
            if (GoDuration.TryParse(s, out var duration, out var error))
            {
                return duration;
            }

            _problems.Errors.Add($"cannot decode {PathOf(name)}: {error}");
            return null;
        }

        if (allowNanoseconds && TryGetIntegral(node, out var nanoseconds))
        {
            return new GoDuration(nanoseconds);
        }

        Mismatch(name, node, "duration string");
        return null;
    }

    /// <summary>A Kubernetes quantity, kept as text (a bare number is accepted and printed back).</summary>
    public string? Quantity(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v)
        {
            if (v.TryGetValue(out string? s))
            {
                return s;
            }

            if (v.TryGetValue(out long l))
            {
                return l.ToString(CultureInfo.InvariantCulture);
            }
        }

        Mismatch(name, node, "quantity");
        return null;
    }

    public List<string>? StringList(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            Mismatch(name, node, "[]string");
            return null;
        }

        var list = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue(out string? s))
            {
                list.Add(s);
            }
            else if (array[i] is null)
            {
                list.Add(string.Empty);
            }
            else
            {
                Mismatch(name + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", array[i], "string");
            }
        }

        return list;
    }

    public Dictionary<string, bool>? BoolMap(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject obj)
        {
            Mismatch(name, node, "map[string]bool");
            return null;
        }

        var map = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (value is JsonValue v && v.TryGetValue(out bool b))
            {
                map[key] = b;
            }
            else
            {
                Mismatch(name + "." + key, value, "bool");
            }
        }

        return map;
    }

    /// <summary>A nested object, or null when absent or null.</summary>
    public ConfigObjectReader? Object(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is JsonObject obj)
        {
            return new ConfigObjectReader(obj, PathOf(name), _problems);
        }

        Mismatch(name, node, "object");
        return null;
    }

    /// <summary>Each object of an array field, or null when absent or null.</summary>
    public List<ConfigObjectReader>? ObjectList(string name)
    {
        var node = Take(name);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            Mismatch(name, node, "array");
            return null;
        }

        var list = new List<ConfigObjectReader>();
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = PathOf(name) + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            if (array[i] is JsonObject obj)
            {
                list.Add(new ConfigObjectReader(obj, itemPath, _problems));
            }
            else
            {
                _problems.Errors.Add($"cannot decode {itemPath}: expected object, got {Describe(array[i])}");
            }
        }

        return list;
    }

    /// <summary>Records every field of this object that was never asked for.</summary>
    public void Finish()
    {
        foreach (var (key, _) in _object)
        {
            if (!_known.Contains(key))
            {
                _problems.UnknownFields.Add(PathOf(key));
            }
        }
    }

    private void Mismatch(string name, JsonNode? node, string expected) =>
        _problems.Errors.Add($"cannot decode {PathOf(name)}: expected {expected}, got {Describe(node)}");

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v when v.TryGetValue(out string? s) => "string \"" + s + "\"",
        JsonValue v when v.TryGetValue(out bool b) => "bool " + (b ? "true" : "false"),
        JsonValue v when v.TryGetValue(out long l) => "number " + l.ToString(CultureInfo.InvariantCulture),
        JsonValue v when v.TryGetValue(out double d) => "number " + d.ToString("R", CultureInfo.InvariantCulture),
        _ => node.ToString(),
    };
}
