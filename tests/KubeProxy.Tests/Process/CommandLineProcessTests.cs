namespace KubeProxy.Tests.Process;

/// <summary>The built executable's exit codes and messages for the non-running actions.</summary>
public sealed class CommandLineProcessTests
{
    [Fact]
    public async Task VersionExits0()
    {
        using var p = await KubeProxyProcess.RunAsync(["--version"]);
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("Kubernetes v", p.StandardOutput);
    }

    [Fact]
    public async Task HelpExits0AndListsManifests()
    {
        using var p = await KubeProxyProcess.RunAsync(["--help"]);
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("--manifests", p.StandardOutput);
        Assert.Contains("--proxy-mode", p.StandardOutput);
    }

    [Theory]
    [InlineData("--cluster-cidr", "10.0.0.0/33")]
    [InlineData("--proxy-mode", "bogus")]
    [InlineData("--iptables-min-sync-period", "soon")]
    public async Task InvalidFlagValueExits1NamingTheFlag(string flag, string value)
    {
        using var p = await KubeProxyProcess.RunAsync([flag, value]);
        Assert.Equal(1, p.ExitCode);
        // One line naming the flag, not a stack trace.
        var message = Assert.Single(p.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(flag, message);
        Assert.Equal("", p.StandardOutput.Trim());
    }

    [Fact]
    public async Task WriteConfigToWritesYamlAndExits0()
    {
        var file = Path.Combine(Path.GetTempPath(), "kpt-config-" + Guid.NewGuid().ToString("N") + ".yaml");
        try
        {
            using var p = await KubeProxyProcess.RunAsync(["--write-config-to", file, "--proxy-mode", "nftables", "--cluster-cidr", "198.18.64.0/18"]);
            Assert.Equal(0, p.ExitCode);
            var yaml = await File.ReadAllTextAsync(file);
            Assert.Contains("apiVersion: kubeproxy.config.k8s.io/v1alpha1", yaml);
            Assert.Contains("kind: KubeProxyConfiguration", yaml);
            Assert.Contains("mode: nftables", yaml);
            Assert.Contains("198.18.64.0/18", yaml);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task NoSourceExits1SayingWhatToPass()
    {
        // No --manifests, no kubeconfig: HOME points at an empty directory and the in-cluster variables are unset.
        var home = Directory.CreateTempSubdirectory("kpt-home-").FullName;
        try
        {
            var environment = new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["KUBECONFIG"] = null,
                ["KUBERNETES_SERVICE_HOST"] = null,
                ["KUBERNETES_SERVICE_PORT"] = null,
            };
            using var p = await KubeProxyProcess.RunAsync(["--hostname-override", "node-1"], environment: environment);
            Assert.Equal(1, p.ExitCode);
            Assert.Contains("--manifests", p.StandardOutput + p.StandardError);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
