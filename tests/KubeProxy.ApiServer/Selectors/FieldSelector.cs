using System.Collections.Immutable;
using KubeProxy.ApiServer.Storage;

namespace KubeProxy.ApiServer.Selectors;

/// <summary>
/// A parsed field selector. Like the real server for these resources, only <c>metadata.name</c> and
/// <c>metadata.namespace</c> are selectable, with <c>=</c>, <c>==</c> or <c>!=</c>.
/// </summary>
public sealed class FieldSelector
{
    private sealed record Requirement(string Field, bool Equal, string Value);

    private readonly ImmutableArray<Requirement> _requirements;

    private FieldSelector(ImmutableArray<Requirement> requirements) => _requirements = requirements;

    public static FieldSelector Everything { get; } = new([]);

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var requirements = ImmutableArray.CreateBuilder<Requirement>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            string field, value;
            bool equal;
            var notEquals = term.IndexOf("!=", StringComparison.Ordinal);
            if (notEquals > 0)
            {
                (field, value, equal) = (term[..notEquals], term[(notEquals + 2)..], false);
            }
            else
            {
                var eq = term.IndexOf('=');
                if (eq <= 0) throw new FormatException($"invalid field selector term '{term}'");
                var valueStart = eq + 1 < term.Length && term[eq + 1] == '=' ? eq + 2 : eq + 1;
                (field, value, equal) = (term[..eq], term[valueStart..], true);
            }
            field = field.Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw new FormatException($"field label not supported: {field}");
            }
            requirements.Add(new Requirement(field, equal, value.Trim()));
        }
        return new FieldSelector(requirements.ToImmutable());
    }

    internal bool Matches(StoredObject obj)
    {
        foreach (var r in _requirements)
        {
            var actual = r.Field == "metadata.name" ? obj.Name : obj.Namespace ?? "";
            if ((actual == r.Value) != r.Equal) return false;
        }
        return true;
    }
}
