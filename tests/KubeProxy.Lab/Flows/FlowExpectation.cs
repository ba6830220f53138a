namespace KubeProxy.Lab.Flows;

/// <summary>
/// The expected fate of a flow. Endpoints are host names, optionally with the port the endpoint must be
/// reached on (<c>web-1:8443</c>, for a Service targetPort).
/// </summary>
public sealed record FlowExpectation(FlowVerdict Verdict, IReadOnlyList<string> Endpoints, bool Masqueraded)
{
    public static FlowExpectation Drop { get; } = new(FlowVerdict.Drop, [], false);

    public static FlowExpectation Reject { get; } = new(FlowVerdict.Reject, [], false);

    /// <summary>Reaches every one of <paramref name="endpoints"/> (and nothing else), masqueraded or not.</summary>
    public static FlowExpectation To(bool masqueraded, params string[] endpoints) =>
        endpoints.Length == 0 ? throw new ArgumentException("name at least one endpoint", nameof(endpoints)) : new(FlowVerdict.Endpoints, endpoints, masqueraded);

    /// <summary>Splits <c>web-1:8443</c> into name and port.</summary>
    internal static (string Name, int? Port) Parse(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], out var port) ? (endpoint[..colon], port) : (endpoint, null);
    }

    public override string ToString() => Verdict switch
    {
        FlowVerdict.Endpoints => $"{string.Join(", ", Endpoints)} ({(Masqueraded ? "masq" : "no masq")})",
        FlowVerdict.Drop => "DROP",
        _ => "REJECT",
    };
}
