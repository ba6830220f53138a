using KubeProxy.Core.Model;

namespace KubeProxy.Lab.Manifests;

/// <summary>One port of a Service; <see cref="TargetPort"/> defaults to <see cref="Port"/> as on the API server.</summary>
public sealed record ServicePortManifest(string Name, int Port, Protocol Protocol = Protocol.TCP, int? TargetPort = null, int? NodePort = null);
