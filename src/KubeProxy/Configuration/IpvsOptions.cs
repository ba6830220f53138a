using System.Net;
using KubeProxy.Core.Model;

namespace KubeProxy.Configuration;

/// <summary>Settings only the ipvs mode reads. Zero timeouts leave the kernel's values.</summary>
public sealed record IpvsOptions(
    string Scheduler,
    EquatableArray<IPNetwork> ExcludeCidrs,
    bool StrictArp,
    TimeSpan TcpTimeout,
    TimeSpan TcpFinTimeout,
    TimeSpan UdpTimeout);
