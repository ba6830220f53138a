using KubeProxy.Linux.Sysctl;
using KubeProxy.Linux.Tests.Support;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Linux.Tests.Sysctl;

public sealed class ConntrackSysctlsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kp-sysctl-").FullName;
    private readonly ListLogger<ConntrackSysctlsTests> _logger = new();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Given(string path, string value)
    {
        var full = Path.Join(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, value + "\n");
    }

    private string Read(string path) => File.ReadAllText(Path.Join(_root, path)).Trim();

    private void GivenNode(string max = "65536", string hashSize = "16384", string cpus = "0-3")
    {
        Given(ConntrackSysctls.Max, max);
        Given(ConntrackSysctls.HashSize, hashSize);
        Given(ConntrackSysctls.OnlineCpus, cpus);
        Given(ConntrackSysctls.TcpEstablishedTimeout, "432000");
        Given(ConntrackSysctls.TcpCloseWaitTimeout, "60");
        Given(ConntrackSysctls.TcpBeLiberal, "0");
        Given(ConntrackSysctls.UdpTimeout, "30");
        Given(ConntrackSysctls.UdpStreamTimeout, "120");
    }

    [Fact]
    public void Defaults_scale_the_limit_by_cpus_raise_the_hash_size_and_set_tcp_timeouts()
    {
        GivenNode(cpus: "0-3");

        var result = ConntrackSysctls.Apply(new ConntrackSysctlOptions(), new FileSysctl(_root), _logger);

        // max(32768 × 4, 131072) = 131072; hashsize raised to a quarter of it.
        Assert.Equal("131072", Read(ConntrackSysctls.Max));
        Assert.Equal("32768", Read(ConntrackSysctls.HashSize));
        Assert.Equal("86400", Read(ConntrackSysctls.TcpEstablishedTimeout));
        Assert.Equal("3600", Read(ConntrackSysctls.TcpCloseWaitTimeout));
        // Zero and false mean "leave alone".
        Assert.Equal("0", Read(ConntrackSysctls.TcpBeLiberal));
        Assert.Equal("30", Read(ConntrackSysctls.UdpTimeout));
        Assert.Equal("120", Read(ConntrackSysctls.UdpStreamTimeout));
        Assert.Equal(4, result.Written.Count);
        Assert.False(result.HadReadOnly);
        Assert.Contains(_logger.At(LogLevel.Information), m => m.Contains("nfConntrackMax=131072"));
    }

    [Fact]
    public void Values_already_right_are_not_written_and_the_hash_size_is_never_lowered()
    {
        GivenNode(max: "262144", hashSize: "1048576", cpus: "0-7");
        Given(ConntrackSysctls.TcpEstablishedTimeout, "86400");
        Given(ConntrackSysctls.TcpCloseWaitTimeout, "3600");
        var sysctl = new FileSysctl(_root);

        var result = ConntrackSysctls.Apply(new ConntrackSysctlOptions(), sysctl, _logger);

        // 32768 × 8 = 262144 is already set; hashsize is above max/4.
        Assert.Empty(result.Written);
        Assert.Equal("1048576", Read(ConntrackSysctls.HashSize));
    }

    [Fact]
    public void Optional_settings_are_written_when_given()
    {
        GivenNode();
        var options = new ConntrackSysctlOptions
        {
            MaxPerCore = 0,
            TcpEstablishedTimeout = null,
            TcpCloseWaitTimeout = TimeSpan.Zero,
            TcpBeLiberal = true,
            UdpTimeout = TimeSpan.FromSeconds(45),
            UdpStreamTimeout = TimeSpan.FromMinutes(3),
        };

        var result = ConntrackSysctls.Apply(options, new FileSysctl(_root), _logger);

        Assert.Equal("65536", Read(ConntrackSysctls.Max));
        Assert.Equal("432000", Read(ConntrackSysctls.TcpEstablishedTimeout));
        Assert.Equal("1", Read(ConntrackSysctls.TcpBeLiberal));
        Assert.Equal("45", Read(ConntrackSysctls.UdpTimeout));
        Assert.Equal("180", Read(ConntrackSysctls.UdpStreamTimeout));
        Assert.Equal([ConntrackSysctls.TcpBeLiberal, ConntrackSysctls.UdpTimeout, ConntrackSysctls.UdpStreamTimeout], result.Written);
    }

    [Fact]
    public void A_read_only_sys_is_a_warning_and_the_rest_is_still_applied()
    {
        var sysctl = new FakeSysctl();
        sysctl.Values[ConntrackSysctls.Max] = "65536";
        sysctl.Values[ConntrackSysctls.HashSize] = "16384";
        sysctl.Values[ConntrackSysctls.TcpEstablishedTimeout] = "1";
        sysctl.Values[ConntrackSysctls.TcpCloseWaitTimeout] = "1";
        sysctl.ReadOnly.Add("/sys/");

        var result = ConntrackSysctls.Apply(new ConntrackSysctlOptions(), sysctl, _logger, cpuCount: 2);

        Assert.Equal([ConntrackSysctls.HashSize], result.ReadOnly);
        Assert.Equal("131072", sysctl.Values[ConntrackSysctls.Max]);
        Assert.Equal("86400", sysctl.Values[ConntrackSysctls.TcpEstablishedTimeout]);
        Assert.Contains(_logger.At(LogLevel.Warning), m => m.Contains(ConntrackSysctls.HashSize) && m.Contains("read-only"));
    }

    [Fact]
    public void A_read_only_proc_skips_the_hash_size_and_warns_for_each_value()
    {
        var sysctl = new FakeSysctl();
        sysctl.Values[ConntrackSysctls.Max] = "65536";
        sysctl.Values[ConntrackSysctls.HashSize] = "16384";
        sysctl.Values[ConntrackSysctls.TcpEstablishedTimeout] = "1";
        sysctl.Values[ConntrackSysctls.TcpCloseWaitTimeout] = "1";
        sysctl.ReadOnly.Add("/proc/");

        var result = ConntrackSysctls.Apply(new ConntrackSysctlOptions(), sysctl, _logger, cpuCount: 2);

        Assert.Equal([ConntrackSysctls.Max, ConntrackSysctls.TcpEstablishedTimeout, ConntrackSysctls.TcpCloseWaitTimeout], result.ReadOnly);
        Assert.Empty(sysctl.Writes);
        Assert.Equal(3, _logger.At(LogLevel.Warning).Count());
    }

    [Fact]
    public void A_missing_conntrack_module_is_an_error()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ConntrackSysctls.Apply(new ConntrackSysctlOptions(), new FileSysctl(_root), _logger, cpuCount: 1));
        Assert.Contains("nf_conntrack", e.Message);
    }

    [Theory]
    [InlineData(32768, 131072, 2, 131072)]
    [InlineData(32768, 131072, 8, 262144)]
    [InlineData(32768, 0, 1, 32768)]
    [InlineData(0, 131072, 8, 0)]
    public void The_limit_is_the_larger_of_per_core_times_cpus_and_the_minimum(int perCore, int min, int cpus, int expected) =>
        Assert.Equal(expected, ConntrackSysctls.ConntrackMax(new ConntrackSysctlOptions { MaxPerCore = perCore, Min = min }, cpus));

    [Theory]
    [InlineData("0-3", 4)]
    [InlineData("0", 1)]
    [InlineData("0-1,4-5,7", 5)]
    public void Cpus_are_counted_from_the_online_list(string online, int expected)
    {
        Given(ConntrackSysctls.OnlineCpus, online);
        Assert.Equal(expected, ConntrackSysctls.CountCpus(new FileSysctl(_root)));
    }

    [Fact]
    public void File_writes_replace_the_whole_value()
    {
        Given("/proc/sys/x", "1234567");
        new FileSysctl(_root).Write("/proc/sys/x", "5");
        Assert.Equal("5\n", File.ReadAllText(Path.Join(_root, "/proc/sys/x")));
    }
}
