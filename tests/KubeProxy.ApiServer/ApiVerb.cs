namespace KubeProxy.ApiServer;

/// <summary>What a request asked the fake server to do.</summary>
public enum ApiVerb
{
    List,
    Watch,
    Get,
    Create,
    Discovery,
    Other,
}
