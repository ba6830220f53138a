namespace KubeProxy.Core.Model;

/// <summary>
/// Identifies one port of one Service: the key under which a Service port and its endpoints meet
/// (upstream's ServicePortName). Endpoint ports match Service ports by <see cref="Port"/> name and protocol.
/// </summary>
public readonly record struct ServicePortName(ObjectName Service, string Port, Protocol Protocol) : IComparable<ServicePortName>
{
    public override string ToString() =>
        Port.Length == 0 ? $"{Service}/{Protocol.Lower()}" : $"{Service}:{Port}/{Protocol.Lower()}";

    public int CompareTo(ServicePortName other)
    {
        var c = Service.CompareTo(other.Service);
        if (c != 0) return c;
        c = string.CompareOrdinal(Port, other.Port);
        return c != 0 ? c : Protocol.CompareTo(other.Protocol);
    }
}
