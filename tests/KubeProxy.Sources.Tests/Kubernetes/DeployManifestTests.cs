using k8s;
using k8s.Models;
using KubeProxy.Sources.Kubernetes;

namespace KubeProxy.Sources.Tests.Kubernetes;

/// <summary>deploy/ parses as the objects `kubectl apply -f deploy/` creates, with kubeadm's conventions.</summary>
public sealed class DeployManifestTests
{
    private static readonly List<object> Objects = Load();

    private static List<object> Load()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "KubeProxy.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return [.. Directory.GetFiles(Path.Combine(dir.FullName, "deploy"), "*.yaml").Order(StringComparer.Ordinal)
            .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f)))];
    }

    private static T Single<T>() => Assert.Single(Objects.OfType<T>());

    [Fact]
    public void The_DaemonSet_follows_kubeadm_conventions()
    {
        var ds = Single<V1DaemonSet>();
        var pod = ds.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.Equal(("kube-proxy", "kube-system"), (ds.Metadata.Name, ds.Metadata.NamespaceProperty));
        Assert.True(pod.HostNetwork);
        Assert.True(container.SecurityContext.Privileged);
        Assert.Equal("system-node-critical", pod.PriorityClassName);
        Assert.Equal("Exists", Assert.Single(pod.Tolerations).OperatorProperty);
        Assert.Equal("linux", pod.NodeSelector["kubernetes.io/os"]);
        Assert.Equal("kube-proxy", pod.ServiceAccountName);
        Assert.Equal(["kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"], container.Command);
        Assert.Equal("spec.nodeName", container.Env.Single(e => e.Name == "NODE_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("kube-proxy", pod.Volumes.Single(v => v.Name == "kube-proxy").ConfigMap.Name);
        Assert.Equal(("/run/xtables.lock", "FileOrCreate"),
            pod.Volumes.Where(v => v.Name == "xtables-lock").Select(v => (v.HostPath.Path, v.HostPath.Type)).Single());
        Assert.Equal("/lib/modules", pod.Volumes.Single(v => v.Name == "lib-modules").HostPath.Path);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/var/lib/kube-proxy");
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/lib/modules" && m.ReadOnlyProperty == true);
    }

    [Fact]
    public void The_ConfigMap_holds_config_and_kubeconfig()
    {
        var cm = Single<V1ConfigMap>();

        Assert.Equal("kube-proxy", cm.Metadata.Name);
        Assert.Contains("kind: KubeProxyConfiguration", cm.Data["config.conf"], StringComparison.Ordinal);
        Assert.Contains("kubeconfig: /var/lib/kube-proxy/kubeconfig.conf", cm.Data["config.conf"], StringComparison.Ordinal);
        var kubeconfig = Path.GetTempFileName();
        try
        {
            File.WriteAllText(kubeconfig, cm.Data["kubeconfig.conf"]);
            // kubeadm's layout names the service-account token with tokenFile, which the source must honour.
            Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount/token", KubeconfigTokenFile.Find(kubeconfig));
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Theory]
    [InlineData("", "services", "list")]
    [InlineData("", "services", "watch")]
    [InlineData("discovery.k8s.io", "endpointslices", "watch")]
    [InlineData("", "nodes", "watch")]
    [InlineData("networking.k8s.io", "servicecidrs", "watch")]
    [InlineData("events.k8s.io", "events", "create")]
    [InlineData("", "events", "patch")]
    public void The_ClusterRole_allows_what_the_source_does(string group, string resource, string verb)
    {
        var role = Single<V1ClusterRole>();
        var binding = Single<V1ClusterRoleBinding>();

        Assert.Contains(role.Rules, r => r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));
        Assert.Equal(role.Metadata.Name, binding.RoleRef.Name);
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "kube-proxy", "kube-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.Equal("kube-proxy", Single<V1ServiceAccount>().Metadata.Name);
    }
}
