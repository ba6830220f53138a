using System.Net;

namespace KubeProxy.Core.Model;

/// <summary>A networking.k8s.io/v1 ServiceCIDR: the ranges ClusterIPs are allocated from.</summary>
public sealed record ServiceCidr(string Name, EquatableArray<IPNetwork> Cidrs);
