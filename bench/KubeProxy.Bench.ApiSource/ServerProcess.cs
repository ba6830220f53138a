using System.Globalization;
using KubeProxy.ApiServer;

namespace KubeProxy.Bench.ApiSource;

/// <summary>
/// The child process: a fake API server driven by lines on stdin ("seed FROM COUNT GENERATION", "rv", "quit"),
/// answering each with one line on stdout.
/// </summary>
internal static class ServerProcess
{
    public static async Task<int> RunAsync()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
        Console.WriteLine(server.BaseUri);
        while (Console.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words)
            {
                case ["seed", var from, var count, var generation]:
                    var (f, c, g) = (Parse(from), Parse(count), Parse(generation));
                    for (var i = f; i < f + c; i++)
                    {
                        server.Upsert(ClusterObjects.Service(i, g));
                        server.Upsert(ClusterObjects.Slice(i, g));
                    }
                    Console.WriteLine(server.ResourceVersion);
                    break;
                case ["rv"]:
                    Console.WriteLine(server.ResourceVersion);
                    break;
                case ["quit"]:
                    return 0;
                default:
                    Console.WriteLine("error: unknown command " + line);
                    break;
            }
        }
        return 0;
    }

    private static int Parse(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
