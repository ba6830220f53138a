using KubeProxy.Lab.Proxy;
using Xunit.Abstractions;

namespace KubeProxy.Lab.Testing;

/// <summary>Runs a test body and, if it fails, writes the lab's state and kube-proxy's output to the test output.</summary>
public static class LabDiagnostics
{
    public static async Task OnFailureAsync(ITestOutputHelper output, NetworkLab lab, Func<Task> body, params KubeProxyProcess[] proxies)
    {
        try
        {
            await body();
        }
        catch
        {
            foreach (var proxy in proxies)
            {
                output.WriteLine($"===== output of {proxy} =====\n{proxy.Output}");
            }

            output.WriteLine($"===== lab state =====\n{await lab.DescribeAsync()}");
            throw;
        }
    }
}
