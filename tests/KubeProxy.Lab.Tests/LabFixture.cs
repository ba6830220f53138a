using KubeProxy.Lab.Testing;

namespace KubeProxy.Lab.Tests;

/// <summary>Shorthands for the lab self-tests: a lab logging to the test output.</summary>
internal static class LabFixture
{
    public static Task<NetworkLab> StartAsync(ITestOutputHelper output, LabTopology? topology = null) =>
        NetworkLab.StartAsync(topology ?? LabTopology.OneNode("web-1", "web-2"), new TestOutputLogger(output, minimum: Microsoft.Extensions.Logging.LogLevel.Debug));
}
