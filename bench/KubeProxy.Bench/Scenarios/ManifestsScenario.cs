using KubeProxy.Bench.Generation;

namespace KubeProxy.Bench.Scenarios;

/// <summary>Writes a generated cluster as a manifest directory, to run kube-proxy on it by hand.</summary>
internal sealed class ManifestsScenario : IScenario
{
    public string Name => "manifests";

    public string Usage => "--size 10000x10 --out DIR";

    public int Run(BenchArguments arguments)
    {
        var size = arguments.String("size", "10000x10");
        var outDir = arguments.String("out", "bench-manifests");
        arguments.EnsureAllUsed();
        ManifestWriter.Write(SyncScenario.ParseSizes(size).Single(), outDir);
        Console.WriteLine($"wrote {outDir}");
        return 0;
    }
}
