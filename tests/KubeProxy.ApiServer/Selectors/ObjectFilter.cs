using KubeProxy.ApiServer.Storage;

namespace KubeProxy.ApiServer.Selectors;

/// <summary>What one list or watch asked for: a namespace (or all), a label selector and a field selector.</summary>
internal sealed record ObjectFilter(string? Namespace, LabelSelector Labels, FieldSelector Fields)
{
    public bool Matches(StoredObject obj) =>
        (Namespace is null || obj.Namespace == Namespace) && Labels.Matches(obj.Labels) && Fields.Matches(obj);
}
