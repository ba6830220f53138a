using System.Net;
using KubeProxy.Http;
using Microsoft.AspNetCore.Http;

namespace KubeProxy.Tests.Http;

/// <summary>Alone in its collection: it counts the process's inotify instances, which other tests create too.</summary>
[CollectionDefinition(nameof(HttpEndpointTests), DisableParallelization = true)]
public sealed class HttpEndpointTestsCollection;

[Collection(nameof(HttpEndpointTests))]
public sealed class HttpEndpointTests
{
    [Fact]
    public async Task EndpointsAnswerWithoutTakingAnInotifyInstanceEach()
    {
        // One endpoint per health-check node port: each must not cost a file watcher (the per-user limit is 128).
        var before = InotifyInstances();
        var endpoints = new List<HttpEndpoint>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                endpoints.Add(await HttpEndpoint.StartAsync([new IPEndPoint(IPAddress.Loopback, FreePort.Next())],
                    ctx => ctx.Response.WriteAsync("ok")));
            }

            Assert.Equal(before, InotifyInstances());
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            foreach (var endpoint in endpoints)
            {
                Assert.Equal("ok", await client.GetStringAsync($"http://{endpoint.Addresses[0]}/"));
            }
        }
        finally
        {
            foreach (var endpoint in endpoints)
            {
                await endpoint.DisposeAsync();
            }
        }
    }

    private static int InotifyInstances() =>
        Directory.EnumerateFiles("/proc/self/fd").Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget == "anon_inode:inotify";
            }
            catch (IOException)
            {
                return false; // closed between listing and reading
            }
        });
}
