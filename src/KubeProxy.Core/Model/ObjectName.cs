namespace KubeProxy.Core.Model;

/// <summary>A namespaced object name; prints as <c>namespace/name</c>, the form every log line uses.</summary>
public readonly record struct ObjectName(string Namespace, string Name) : IComparable<ObjectName>
{
    public override string ToString() => $"{Namespace}/{Name}";

    public int CompareTo(ObjectName other)
    {
        var c = string.CompareOrdinal(Namespace, other.Namespace);
        return c != 0 ? c : string.CompareOrdinal(Name, other.Name);
    }
}
