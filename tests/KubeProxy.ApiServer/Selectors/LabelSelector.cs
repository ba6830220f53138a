using System.Collections.Immutable;

namespace KubeProxy.ApiServer.Selectors;

/// <summary>
/// A parsed label selector in the API's string form: <c>key</c>, <c>!key</c>, <c>key=value</c>, <c>key==value</c>,
/// <c>key!=value</c>, <c>key in (a,b)</c>, <c>key notin (a,b)</c>, joined by commas (all must hold).
/// </summary>
public sealed class LabelSelector
{
    private enum Operator
    {
        Exists,
        DoesNotExist,
        Equals,
        NotEquals,
        In,
        NotIn,
    }

    private sealed record Requirement(string Key, Operator Op, ImmutableArray<string> Values);

    private readonly ImmutableArray<Requirement> _requirements;

    private LabelSelector(ImmutableArray<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEverything => _requirements.IsEmpty;

    /// <summary>Parses a selector; throws <see cref="FormatException"/> on malformed input (the server answers 400).</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = ImmutableArray.CreateBuilder<Requirement>();
        foreach (var term in SplitTopLevel(text))
        {
            requirements.Add(ParseTerm(term.Trim()));
        }
        return new LabelSelector(requirements.ToImmutable());
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var ok = r.Op switch
            {
                Operator.Exists => has,
                Operator.DoesNotExist => !has,
                Operator.Equals => has && value == r.Values[0],
                Operator.NotEquals => !has || value != r.Values[0],
                Operator.In => has && r.Values.Contains(value!),
                Operator.NotIn => !has || !r.Values.Contains(value!),
                _ => false,
            };
            if (!ok) return false;
        }
        return true;
    }

    private static Requirement ParseTerm(string term)
    {
        if (term.Length == 0) throw new FormatException("empty label selector term");
        if (term[0] == '!') return new Requirement(Key(term[1..]), Operator.DoesNotExist, []);

        var notEquals = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEquals > 0) return new Requirement(Key(term[..notEquals]), Operator.NotEquals, [term[(notEquals + 2)..].Trim()]);
        var doubleEquals = term.IndexOf("==", StringComparison.Ordinal);
        if (doubleEquals > 0) return new Requirement(Key(term[..doubleEquals]), Operator.Equals, [term[(doubleEquals + 2)..].Trim()]);
        var equals = term.IndexOf('=');
        if (equals > 0) return new Requirement(Key(term[..equals]), Operator.Equals, [term[(equals + 1)..].Trim()]);

        var parts = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1) return new Requirement(Key(parts[0]), Operator.Exists, []);
        var rest = parts[1];
        Operator op;
        if (rest.StartsWith("notin", StringComparison.Ordinal)) { op = Operator.NotIn; rest = rest[5..]; }
        else if (rest.StartsWith("in", StringComparison.Ordinal)) { op = Operator.In; rest = rest[2..]; }
        else throw new FormatException($"unknown label selector operator in '{term}'");
        rest = rest.Trim();
        if (rest.Length < 2 || rest[0] != '(' || rest[^1] != ')') throw new FormatException($"expected a (value list) in '{term}'");
        var values = rest[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return new Requirement(Key(parts[0]), op, [.. values]);
    }

    private static string Key(string key)
    {
        key = key.Trim();
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '=' or '!' or '(' or ')' or ','))
        {
            throw new FormatException($"invalid label key '{key}'");
        }
        return key;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }
        yield return text[start..];
    }
}
