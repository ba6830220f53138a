namespace KubeProxy.Lab;

public enum LabHostKind
{
    Router,
    Node,
    Pod,
    Client,
    BlockedClient,
}
