using System.Net;
using k8s.Models;
using KubeProxy.Core.Model;
using KubeProxy.Sources.Conversion;

namespace KubeProxy.Sources.Tests.Conversion;

public class ServiceConversionTests
{
    private static V1Service LoadBalancer() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "web-lb",
            NamespaceProperty = "shop",
            Labels = new Dictionary<string, string> { ["app"] = "web", ["example.com/tier"] = "" },
        },
        Spec = new V1ServiceSpec
        {
            Type = "LoadBalancer",
            ClusterIP = "198.19.0.12",
            ClusterIPs = ["198.19.0.12", "fd00:198:19::12"],
            IpFamilies = ["IPv4", "IPv6"],
            IpFamilyPolicy = "RequireDualStack",
            Ports =
            [
                new V1ServicePort { Name = "http", Port = 80, TargetPort = 8080, NodePort = 30081, Protocol = "TCP" },
                new V1ServicePort { Name = "dns", Port = 53, TargetPort = "dns", NodePort = 30053, Protocol = "UDP" },
            ],
            ExternalIPs = ["198.19.201.10"],
            LoadBalancerSourceRanges = ["198.19.128.0/24", "fd00:1::/64"],
            ExternalTrafficPolicy = "Local",
            InternalTrafficPolicy = "Local",
            HealthCheckNodePort = 32000,
            SessionAffinity = "ClientIP",
            SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 60 } },
        },
        Status = new V1ServiceStatus
        {
            LoadBalancer = new V1LoadBalancerStatus
            {
                Ingress =
                [
                    new V1LoadBalancerIngress { Ip = "198.19.200.10" },
                    new V1LoadBalancerIngress { Ip = "198.19.200.11", IpMode = "Proxy" },
                    new V1LoadBalancerIngress { Hostname = "lb.example.com" },
                ],
            },
        },
    };

    private static V1Service ClusterIP() => new()
    {
        Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default" },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "198.19.0.10",
            Ports = [new V1ServicePort { Port = 80 }],
        },
    };

    private static Service Convert(V1Service service)
    {
        var result = KubeObjectConverter.ToService(service, "test.yaml");
        Assert.True(result.IsOk, result.Error);
        return result.Value!;
    }

    private static void AssertInvalid(V1Service service, string expected)
    {
        var result = KubeObjectConverter.ToService(service, "test.yaml");
        Assert.False(result.IsOk);
        Assert.False(result.Ignored);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public void LoadBalancer_maps_every_field()
    {
        var service = Convert(LoadBalancer());

        Assert.Equal(new ObjectName("shop", "web-lb"), service.Name);
        Assert.Equal(ServiceType.LoadBalancer, service.Type);
        Assert.Equal([IPAddress.Parse("198.19.0.12"), IPAddress.Parse("fd00:198:19::12")], service.ClusterIPs.ToArray());
        Assert.False(service.IsHeadless);
        Assert.Equal(
            [new ServicePort("http", Protocol.TCP, 80, 30081), new ServicePort("dns", Protocol.UDP, 53, 30053)],
            service.Ports.ToArray());
        Assert.Equal([IPAddress.Parse("198.19.201.10")], service.ExternalIPs.ToArray());
        Assert.Equal(
            [new LoadBalancerIngress(IPAddress.Parse("198.19.200.10")), new LoadBalancerIngress(IPAddress.Parse("198.19.200.11"), LoadBalancerIPMode.Proxy)],
            service.LoadBalancerIngress.ToArray());
        Assert.Equal([IPNetwork.Parse("198.19.128.0/24"), IPNetwork.Parse("fd00:1::/64")], service.LoadBalancerSourceRanges.ToArray());
        Assert.Equal(TrafficPolicy.Local, service.ExternalTrafficPolicy);
        Assert.Equal(TrafficPolicy.Local, service.InternalTrafficPolicy);
        Assert.Equal(32000, service.HealthCheckNodePort);
        Assert.Equal(SessionAffinity.ClientIP, service.SessionAffinity);
        Assert.Equal(60, service.AffinityTimeoutSeconds);
        Assert.Equal("web", service.Labels["app"]);
        Assert.Equal("", service.Labels["example.com/tier"]);
        Assert.Equal("test.yaml", service.Origin);
    }

    [Fact]
    public void Missing_fields_get_the_API_server_defaults()
    {
        var service = Convert(ClusterIP());

        Assert.Equal(ServiceType.ClusterIP, service.Type);
        Assert.Equal([IPAddress.Parse("198.19.0.10")], service.ClusterIPs.ToArray());
        Assert.Equal([new ServicePort("", Protocol.TCP, 80)], service.Ports.ToArray());
        Assert.Equal(TrafficPolicy.Cluster, service.ExternalTrafficPolicy);
        Assert.Equal(TrafficPolicy.Cluster, service.InternalTrafficPolicy);
        Assert.Equal(SessionAffinity.None, service.SessionAffinity);
        Assert.Equal(10800, service.AffinityTimeoutSeconds);
        Assert.Equal(0, service.HealthCheckNodePort);
        Assert.True(service.LoadBalancerIngress.IsEmpty);
    }

    [Fact]
    public void ClientIP_affinity_without_config_defaults_to_10800_seconds()
    {
        var input = ClusterIP();
        input.Spec.SessionAffinity = "ClientIP";
        Assert.Equal(10800, Convert(input).AffinityTimeoutSeconds);
    }

    [Fact]
    public void ClusterIPs_alone_are_enough()
    {
        var input = ClusterIP();
        input.Spec.ClusterIP = null;
        input.Spec.ClusterIPs = ["fd00:198:19::10", "198.19.0.10"];
        Assert.Equal([IPAddress.Parse("fd00:198:19::10"), IPAddress.Parse("198.19.0.10")], Convert(input).ClusterIPs.ToArray());
    }

    [Fact]
    public void Headless_service_may_have_no_ports()
    {
        var input = ClusterIP();
        input.Spec.ClusterIP = "None";
        input.Spec.Ports = null;
        var service = Convert(input);
        Assert.True(service.IsHeadless);
        Assert.True(service.ClusterIPs.IsEmpty);
    }

    [Fact]
    public void ExternalName_service_is_typed_and_has_no_cluster_IP()
    {
        var input = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "external-name", NamespaceProperty = "default" },
            Spec = new V1ServiceSpec { Type = "ExternalName", ExternalName = "www.example.com." },
        };
        var service = Convert(input);
        Assert.Equal(ServiceType.ExternalName, service.Type);
        Assert.True(service.ClusterIPs.IsEmpty);
    }

    [Fact]
    public void Section_10_leniencies_are_accepted()
    {
        // A LoadBalancer without node ports (allocateLoadBalancerNodePorts: false), padded source ranges, a node
        // port outside the default 30000-32767 range, a LoadBalancer + Local without health check port yet.
        var input = LoadBalancer();
        input.Spec.AllocateLoadBalancerNodePorts = false;
        input.Spec.Ports[0].NodePort = null;
        input.Spec.Ports[1].NodePort = 80;
        input.Spec.LoadBalancerSourceRanges = [" 198.19.128.0/24 ", "\t10.0.0.0/8"];
        input.Spec.HealthCheckNodePort = null;
        var service = Convert(input);
        Assert.Equal(0, service.Ports[0].NodePort);
        Assert.Equal(80, service.Ports[1].NodePort);
        Assert.Equal([IPNetwork.Parse("198.19.128.0/24"), IPNetwork.Parse("10.0.0.0/8")], service.LoadBalancerSourceRanges.ToArray());
        Assert.Equal(0, service.HealthCheckNodePort);
    }

    [Fact]
    public void Source_range_with_host_bits_is_masked_like_the_legacy_parser()
    {
        var input = LoadBalancer();
        input.Spec.LoadBalancerSourceRanges = ["198.19.128.7/24"];
        Assert.Equal(IPNetwork.Parse("198.19.128.0/24"), Convert(input).LoadBalancerSourceRanges[0]);
    }

    [Fact]
    public void Fields_kube_proxy_ignores_for_this_type_are_passed_on_not_rejected()
    {
        // externalTrafficPolicy on a plain ClusterIP and sessionAffinityConfig with None: newer API servers refuse
        // them on create, but stored objects may carry them and they change nothing.
        var input = ClusterIP();
        input.Spec.ExternalTrafficPolicy = "Local";
        input.Spec.SessionAffinityConfig = new V1SessionAffinityConfig { ClientIP = new V1ClientIPConfig { TimeoutSeconds = 5 } };
        var service = Convert(input);
        Assert.Equal(SessionAffinity.None, service.SessionAffinity);
    }

    [Theory]
    [InlineData("Web", "metadata.name: Invalid value: \"Web\": a DNS-1035 label")]
    [InlineData("1web", "metadata.name: Invalid value: \"1web\": a DNS-1035 label")]
    [InlineData("web\n", "metadata.name: Invalid value: \"web\\n\": a DNS-1035 label")]
    [InlineData("", "metadata.name: Required value")]
    public void Service_name_must_be_a_DNS_1035_label(string name, string expectedStart)
    {
        var input = ClusterIP();
        input.Metadata.Name = name;
        var result = KubeObjectConverter.ToService(input, "x");
        Assert.StartsWith(expectedStart, result.Error);
    }

    [Theory]
    [InlineData(null, "metadata.namespace: Required value")]
    [InlineData("Default", "metadata.namespace: Invalid value: \"Default\": a lowercase RFC 1123 label")]
    [InlineData("a.b", "metadata.namespace: Invalid value: \"a.b\": a lowercase RFC 1123 label")]
    public void Namespace_must_be_a_DNS_1123_label(string? ns, string expectedStart)
    {
        var input = ClusterIP();
        input.Metadata.NamespaceProperty = ns;
        Assert.StartsWith(expectedStart, KubeObjectConverter.ToService(input, "x").Error);
    }

    [Theory]
    [InlineData("bad key!", "v", "metadata.labels: Invalid value: \"bad key!\": name part must consist")]
    [InlineData("/x", "v", "metadata.labels: Invalid value: \"/x\": prefix part must be non-empty")]
    [InlineData("ok", "bad value!", "metadata.labels: Invalid value: \"bad value!\": a valid label must be")]
    public void Labels_follow_the_API_server_syntax(string key, string value, string expectedStart)
    {
        var input = ClusterIP();
        input.Metadata.Labels = new Dictionary<string, string> { [key] = value };
        Assert.StartsWith(expectedStart, KubeObjectConverter.ToService(input, "x").Error);
    }

    public static TheoryData<Action<V1Service>, string> ClusterIPRejections => new()
    {
        { s => s.Spec.ClusterIP = "198.19.0.300", "spec.clusterIP: Invalid value: \"198.19.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => s.Spec.ClusterIP = "1", "spec.clusterIP: Invalid value: \"1\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => s.Spec.ClusterIP = "fe80::1%eth0", "spec.clusterIP: Invalid value: \"fe80::1%eth0\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => s.Spec.ClusterIPs = ["198.19.0.11"], "spec.clusterIPs: Invalid value: [\"198.19.0.11\"]: first value must match `clusterIP`" },
        { s => s.Spec.ClusterIPs = ["198.19.0.10", "198.19.0.11"], "spec.clusterIPs: Invalid value: [\"198.19.0.10\", \"198.19.0.11\"]: may specify no more than one IP for each IP family" },
        { s => s.Spec.ClusterIPs = ["198.19.0.10", "fd00::1", "fd00::2"], "spec.clusterIPs: Invalid value: [\"198.19.0.10\", \"fd00::1\", \"fd00::2\"]: may only hold up to 2 values" },
        { s => s.Spec.ClusterIPs = ["198.19.0.10", "x"], "spec.clusterIPs[1]: Invalid value: \"x\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => { s.Spec.ClusterIP = "None"; s.Spec.ClusterIPs = ["None", "fd00::1"]; }, "spec.clusterIPs: Invalid value: [\"None\", \"fd00::1\"]: 'None' must be the first and only value" },
        { s => { s.Spec.ClusterIP = "None"; s.Spec.Type = "NodePort"; }, "spec.clusterIP: Invalid value: \"None\": may not be set to 'None' for NodePort services" },
        { s => s.Spec.IpFamilies = ["IPv6"], "spec.clusterIP: Invalid value: \"198.19.0.10\": expected an IPv6 value as indicated by `ipFamilies[0]`" },
        { s => s.Spec.IpFamilies = ["IPv4", "IPv4"], "spec.ipFamilies[1]: Duplicate value: \"IPv4\"" },
        { s => s.Spec.IpFamilies = ["IPv5"], "spec.ipFamilies[0]: Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\"" },
        { s => s.Spec.IpFamilyPolicy = "DualStack", "spec.ipFamilyPolicy: Unsupported value: \"DualStack\": supported values: \"PreferDualStack\", \"RequireDualStack\", \"SingleStack\"" },
        { s => { s.Spec.IpFamilyPolicy = "SingleStack"; s.Spec.ClusterIPs = ["198.19.0.10", "fd00::1"]; }, "spec.ipFamilyPolicy: Invalid value: \"SingleStack\": must be RequireDualStack or PreferDualStack when multiple IPFamilies are specified" },
    };

    [Theory]
    [MemberData(nameof(ClusterIPRejections))]
    public void Cluster_IP_rules(Action<V1Service> change, string expected)
    {
        var input = ClusterIP();
        change(input);
        AssertInvalid(input, expected);
    }

    public static TheoryData<Action<V1Service>, string> PortRejections => new()
    {
        { s => s.Spec.Ports = null, "spec.ports: Required value" },
        { s => s.Spec.Ports[0].Port = 70000, "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535" },
        { s => s.Spec.Ports[0].Port = 0, "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535" },
        { s => s.Spec.Ports[0].Protocol = "tcp", "spec.ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"" },
        { s => s.Spec.Ports[0].Name = "HTTP", "spec.ports[0].name: Invalid value: \"HTTP\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')" },
        { s => s.Spec.Ports.Add(new V1ServicePort { Name = "b", Port = 81 }), "spec.ports[0].name: Required value" },
        { s => { s.Spec.Ports[0].Name = "a"; s.Spec.Ports.Add(new V1ServicePort { Name = "a", Port = 81 }); }, "spec.ports[1].name: Duplicate value: \"a\"" },
        { s => { s.Spec.Ports[0].Name = "a"; s.Spec.Ports.Add(new V1ServicePort { Name = "b", Port = 80, Protocol = "TCP" }); }, "spec.ports[1]: Duplicate value: \"80/TCP\"" },
        { s => s.Spec.Ports[0].NodePort = 30080, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'" },
        { s => { s.Spec.Type = "NodePort"; s.Spec.Ports[0].NodePort = 70000; }, "spec.ports[0].nodePort: Invalid value: 70000: must be between 1 and 65535" },
        { s => { s.Spec.Type = "NodePort"; s.Spec.Ports[0].NodePort = -1; }, "spec.ports[0].nodePort: Invalid value: -1: must be between 1 and 65535" },
        { s => { s.Spec.Type = "NodePort"; s.Spec.Ports[0].Name = "a"; s.Spec.Ports[0].NodePort = 30080; s.Spec.Ports.Add(new V1ServicePort { Name = "b", Port = 81, NodePort = 30080 }); }, "spec.ports[1].nodePort: Duplicate value: 30080" },
        { s => s.Spec.Ports[0].TargetPort = 70000, "spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535" },
        { s => s.Spec.Ports[0].TargetPort = "my--port", "spec.ports[0].targetPort: Invalid value: \"my--port\": must not contain consecutive hyphens" },
        { s => { s.Spec.Type = "LoadBalancer"; s.Spec.Ports[0].Port = 10250; }, "spec.ports[0]: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet" },
    };

    [Theory]
    [MemberData(nameof(PortRejections))]
    public void Port_rules(Action<V1Service> change, string expected)
    {
        var input = ClusterIP();
        change(input);
        AssertInvalid(input, expected);
    }

    public static TheoryData<Action<V1Service>, string> OtherRejections => new()
    {
        { s => s.Spec.Type = "Internal", "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"" },
        { s => s.Spec.ExternalIPs = ["198.19.201.300"], "spec.externalIPs[0]: Invalid value: \"198.19.201.300\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => s.Spec.ExternalIPs = ["127.0.0.1"], "spec.externalIPs[0]: Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)" },
        { s => s.Spec.ExternalIPs = ["0.0.0.0"], "spec.externalIPs[0]: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)" },
        { s => s.Spec.ExternalIPs = ["169.254.169.254"], "spec.externalIPs[0]: Invalid value: \"169.254.169.254\": may not be in the link-local range (169.254.0.0/16, fe80::/10)" },
        { s => s.Spec.LoadBalancerSourceRanges = ["198.19.128.1"], "spec.loadBalancerSourceRanges[0]: Invalid value: \"198.19.128.1\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)" },
        { s => s.Spec.LoadBalancerSourceRanges = ["198.19.128.0/33"], "spec.loadBalancerSourceRanges[0]: Invalid value: \"198.19.128.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)" },
        { s => s.Spec.ExternalTrafficPolicy = "local", "spec.externalTrafficPolicy: Unsupported value: \"local\": supported values: \"Cluster\", \"Local\"" },
        { s => s.Spec.InternalTrafficPolicy = "Node", "spec.internalTrafficPolicy: Unsupported value: \"Node\": supported values: \"Cluster\", \"Local\"" },
        { s => s.Spec.HealthCheckNodePort = 65536, "spec.healthCheckNodePort: Invalid value: 65536: must be between 1 and 65535" },
        { s => s.Spec.SessionAffinity = "Cookie", "spec.sessionAffinity: Unsupported value: \"Cookie\": supported values: \"ClientIP\", \"None\"" },
        { s => { s.Spec.SessionAffinity = "ClientIP"; s.Spec.SessionAffinityConfig = new() { ClientIP = new() { TimeoutSeconds = 0 } }; }, "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400" },
        { s => { s.Spec.SessionAffinity = "ClientIP"; s.Spec.SessionAffinityConfig = new() { ClientIP = new() { TimeoutSeconds = 86401 } }; }, "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400" },
        { s => s.Status = new() { LoadBalancer = new() { Ingress = [new() { Ip = "lb" }] } }, "status.loadBalancer.ingress[0].ip: Invalid value: \"lb\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)" },
        { s => s.Status = new() { LoadBalancer = new() { Ingress = [new() { Ip = "198.19.200.1", IpMode = "DSR" }] } }, "status.loadBalancer.ingress[0].ipMode: Unsupported value: \"DSR\": supported values: \"Proxy\", \"VIP\"" },
        { s => s.Spec.Type = "ExternalName", "spec.clusterIP: Forbidden: may not be set for ExternalName services" },
        { s => { s.Spec.Type = "ExternalName"; s.Spec.ClusterIP = null; }, "spec.externalName: Required value" },
        { s => { s.Spec.Type = "ExternalName"; s.Spec.ClusterIP = null; s.Spec.ExternalName = "not_a_host"; }, "spec.externalName: Invalid value: \"not_a_host\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')" },
    };

    [Theory]
    [MemberData(nameof(OtherRejections))]
    public void Other_rules(Action<V1Service> change, string expected)
    {
        var input = ClusterIP();
        change(input);
        AssertInvalid(input, expected);
    }

    [Fact]
    public void Hostname_only_ingress_is_dropped_not_an_error()
    {
        var input = ClusterIP();
        input.Status = new V1ServiceStatus { LoadBalancer = new V1LoadBalancerStatus { Ingress = [new V1LoadBalancerIngress { Hostname = "lb.example.com" }] } };
        Assert.True(Convert(input).LoadBalancerIngress.IsEmpty);
    }

    [Fact]
    public void Same_input_gives_equal_models()
    {
        Assert.Equal(Convert(LoadBalancer()), Convert(LoadBalancer()));
    }
}
