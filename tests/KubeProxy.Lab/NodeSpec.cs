namespace KubeProxy.Lab;

/// <summary>A node of a <see cref="LabTopology"/> and the pods attached to its bridge.</summary>
public sealed record NodeSpec(string Name, IReadOnlyList<string> Pods);
