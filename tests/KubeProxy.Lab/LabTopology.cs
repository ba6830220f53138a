using System.Text.RegularExpressions;

namespace KubeProxy.Lab;

/// <summary>
/// What a lab should contain: nodes (each with its pods), clients on the client network and clients on the
/// "blocked" network. Addresses follow <see cref="LabAddresses"/> from the order hosts are added.
/// </summary>
public sealed partial class LabTopology
{
    private readonly List<NodeSpec> _nodes = [];
    private readonly List<string> _clients = [];
    private readonly List<string> _blockedClients = [];

    public IReadOnlyList<NodeSpec> Nodes => _nodes;

    public IReadOnlyList<string> Clients => _clients;

    public IReadOnlyList<string> BlockedClients => _blockedClients;

    /// <summary>The node the router sends ClusterIP, LoadBalancer and external IP traffic to; default the first node.</summary>
    public string? ServiceNode { get; set; }

    /// <summary>The first deliverable's shape: node-1 with the given pods (default web-1, web-2), a client and a blocked client.</summary>
    public static LabTopology OneNode(params string[] pods) =>
        new LabTopology()
            .AddNode("node-1", pods.Length == 0 ? ["web-1", "web-2"] : pods)
            .AddClient("client")
            .AddBlockedClient("blocked");

    public LabTopology AddNode(string name, params string[] pods)
    {
        if (_nodes.Count >= LabAddresses.MaxNodes)
        {
            throw new InvalidOperationException($"the address plan has room for {LabAddresses.MaxNodes} nodes");
        }

        _nodes.Add(new NodeSpec(CheckName(name), pods.Select(CheckName).ToList()));
        return this;
    }

    public LabTopology AddClient(string name)
    {
        _clients.Add(CheckName(name));
        return this;
    }

    public LabTopology AddBlockedClient(string name)
    {
        _blockedClients.Add(CheckName(name));
        return this;
    }

    /// <summary>All host names, which must be unique (each becomes a namespace).</summary>
    public IEnumerable<string> HostNames =>
        _nodes.SelectMany(n => n.Pods.Prepend(n.Name)).Concat(_clients).Concat(_blockedClients).Prepend(RouterName);

    public const string RouterName = "router";

    /// <summary>Test hook: make the build fail after this step ("namespaces", "links", "configuration").</summary>
    internal string? FailAfterStep { get; set; }

    public override string ToString() =>
        string.Join("; ", _nodes.Select(n => $"{n.Name}[{string.Join(',', n.Pods)}]"))
        + $"; clients [{string.Join(',', _clients)}]; blocked [{string.Join(',', _blockedClients)}]";

    internal void Validate()
    {
        if (_nodes.Count == 0)
        {
            throw new InvalidOperationException("a lab needs at least one node");
        }

        var duplicate = HostNames.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"host name '{duplicate.Key}' is used twice; each host is a namespace");
        }

        if (ServiceNode is not null && _nodes.All(n => n.Name != ServiceNode))
        {
            throw new InvalidOperationException($"service node '{ServiceNode}' is not a node of this lab");
        }
    }

    private static string CheckName(string name) =>
        HostName().IsMatch(name) ? name : throw new ArgumentException($"'{name}': host names are 1-40 of [a-z0-9-]", nameof(name));

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")]
    private static partial Regex HostName();
}
