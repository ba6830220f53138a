using System.Text;
using KubeProxy.Core.Model;
using KubeProxy.Nftables.Rendering;

namespace KubeProxy.Nftables.Tests;

public class ServiceTablesTests
{
    [Fact]
    public void Tables_are_the_main_one_then_numbered_ones()
    {
        var tables = new ServiceTables("kube-proxy", 4);
        Assert.Equal(["kube-proxy", "kube-proxy-1", "kube-proxy-2", "kube-proxy-3"], tables.All);
        Assert.Equal("kube-proxy", tables.Main);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceTables("kube-proxy", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceTables("kube-proxy", ServiceTables.MaxCount + 1));
    }

    [Fact]
    public void One_table_puts_everything_in_the_main_table()
    {
        var tables = new ServiceTables("kube-proxy", 1);
        for (var i = 0; i < 50; i++) Assert.Equal("kube-proxy", tables.TableOf(new ObjectName("ns", $"svc-{i}")));
    }

    [Fact]
    public void A_Service_table_is_FNV1a_of_the_UTF8_namespace_slash_name()
    {
        // Computed here from the bytes, independently of the implementation's per-char loop.
        static int Expected(string ns, string name, int count)
        {
            var hash = 2166136261u;
            foreach (var b in Encoding.UTF8.GetBytes($"{ns}/{name}")) hash = (hash ^ b) * 16777619u;
            return (int)(hash % (uint)count);
        }

        var tables = new ServiceTables("kube-proxy", 16);
        foreach (var (ns, name) in new[] { ("default", "web"), ("kube-system", "kube-dns"), ("a", "b"), ("ns-42", "svc-9999") })
        {
            var shard = Expected(ns, name, 16);
            Assert.Equal(shard, ServiceTables.Shard(new ObjectName(ns, name), 16));
            Assert.Equal(tables.All[shard], tables.TableOf(new ObjectName(ns, name)));
        }
    }

    [Fact]
    public void Ten_thousand_Services_spread_evenly_over_sixteen_tables()
    {
        var counts = new int[16];
        for (var i = 0; i < 10_000; i++) counts[ServiceTables.Shard(new ObjectName($"ns-{i % 37}", $"svc-{i}"), 16)]++;
        // 625 each on average; a fair hash keeps every table within a fifth of it.
        Assert.All(counts, c => Assert.InRange(c, 500, 750));
    }

    [Fact]
    public void Dispatch_maps_follow_the_Service_the_rest_stays_in_the_main_table()
    {
        var tables = new ServiceTables("kube-proxy", 4);
        Assert.Equal("kube-proxy-2", tables.TableOfElement(ServiceRenderer.ServiceIPsMap, "kube-proxy-2"));
        Assert.Equal("kube-proxy-2", tables.TableOfElement(ServiceRenderer.ServiceNodePortsMap, "kube-proxy-2"));
        Assert.Equal("kube-proxy", tables.TableOfElement(ServiceRenderer.ClusterIPsSet, "kube-proxy-2"));
        Assert.Equal("kube-proxy", tables.TableOfElement(ServiceRenderer.NoEndpointServicesMap, "kube-proxy-2"));
        Assert.Equal("kube-proxy", tables.TableOfElement(ServiceRenderer.NoEndpointNodePortsMap, "kube-proxy-2"));
        Assert.Equal("kube-proxy", tables.TableOfElement(ServiceRenderer.FirewallIPsMap, "kube-proxy-2"));

        var port = new ServicePortName(new ObjectName("default", "web"), "p", Protocol.TCP);
        Assert.Equal("kube-proxy", tables.TableOfChain(ChainNames.Firewall(port), "kube-proxy-2"));
        Assert.Equal("kube-proxy-2", tables.TableOfChain(ChainNames.Service(port), "kube-proxy-2"));
        Assert.Equal("kube-proxy-2", tables.TableOfChain(ChainNames.External(port), "kube-proxy-2"));
    }

    [Theory]
    [InlineData("kube-proxy", true)]
    [InlineData("kube-proxy-1", true)]
    [InlineData("kube-proxy-63", true)]
    [InlineData("kube-proxy-200", true)]
    [InlineData("kube-proxy-0", false)]
    [InlineData("kube-proxy-01", false)]
    [InlineData("kube-proxy-", false)]
    [InlineData("kube-proxy-x", false)]
    [InlineData("kube-proxy-1x", false)]
    [InlineData("kube-proxyy-1", false)]
    [InlineData("other", false)]
    public void Our_tables_are_the_main_one_and_its_numbered_ones(string table, bool ours)
    {
        Assert.Equal(ours, new ServiceTables("kube-proxy", 2).IsOurs(table));
    }
}
