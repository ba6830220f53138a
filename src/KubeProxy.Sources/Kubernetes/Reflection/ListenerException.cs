namespace KubeProxy.Sources.Kubernetes.Reflection;

/// <summary>
/// The receiver of a reflector's changes threw. This is a bug on the receiving side, not an API failure, so it is
/// kept apart from the errors the reflector retries: it stops the reflector and surfaces from the source.
/// </summary>
internal sealed class ListenerException(string resource, Exception inner)
    : Exception($"the receiver of {resource} changes failed: {inner.Message}", inner);
