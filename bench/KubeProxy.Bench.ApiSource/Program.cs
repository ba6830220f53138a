using System.Diagnostics;
using System.Globalization;
using k8s;
using KubeProxy.Bench.ApiSource;
using KubeProxy.Sources.Kubernetes;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: KubeProxy.Bench.ApiSource [COUNT]   (default 10000 Services and 10000 EndpointSlices)
if (args is ["server"]) return await ServerProcess.RunAsync();

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
// Started as "dotnet X.dll" the process path is the host, so hand it the assembly too.
var self = Environment.ProcessPath!;
var childArgs = Path.GetFileNameWithoutExtension(self) == "dotnet" ? $"\"{typeof(ServerProcess).Assembly.Location}\" server" : "server";
using var child = Process.Start(new ProcessStartInfo(self, childArgs)
{
    RedirectStandardInput = true,
    RedirectStandardOutput = true,
})!;
string Ask(string command)
{
    child.StandardInput.WriteLine(command);
    return child.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the server process exited");
}

try
{
    var url = child.StandardOutput.ReadLine()!;
    Console.WriteLine($"fake API server (child process {child.Id}) at {url}; {count} Services + {count} EndpointSlices per phase");
    var seedWatch = Stopwatch.StartNew();
    Ask($"seed 0 {count} 0");
    Console.WriteLine($"seeded the server in {seedWatch.Elapsed.TotalSeconds:F1} s");

    if (!KubernetesConnection.TryCreate(null, url, -1, 0, out var client, out var error)) throw new InvalidOperationException(error);
    var sink = new CountingSink();
    var options = new KubernetesApiSourceOptions { NodeName = "node-0", RecordStartingEvent = false, ResyncPeriod = TimeSpan.Zero };
    using var stop = new CancellationTokenSource();
    GC.Collect();
    var (baseline, _) = Memory.Read();
    Console.WriteLine($"{"phase",-34} {"seconds",8} {"RSS MiB",8} {"peak MiB",9} {"GC heap MiB",12}");
    Report("before start", 0);

    var source = new KubernetesApiSource(client, options, NullLoggerFactory.Instance);
    var watch = Stopwatch.StartNew();
    var run = Task.Run(() => source.RunAsync(sink, stop.Token));
    await WaitAsync(() => sink.Synced && sink.ServiceUpserts >= count && sink.SliceUpserts >= count);
    Report($"initial list ({count}+{count})", watch.Elapsed.TotalSeconds);

    // The same number again, all through the watch (ADDED events).
    Memory.ResetPeak();
    watch.Restart();
    Ask($"seed {count} {count} 0");
    await WaitAsync(() => sink.ServiceUpserts >= 2L * count && sink.SliceUpserts >= 2L * count);
    Report($"watch ADDED ({count}+{count})", watch.Elapsed.TotalSeconds);

    // Every object modified once more (MODIFIED events): the store is replaced, not grown.
    for (var round = 1; round <= 2; round++)
    {
        Memory.ResetPeak();
        watch.Restart();
        Ask($"seed 0 {2 * count} {round}");
        var target = (2L + (2L * round)) * count;
        await WaitAsync(() => sink.ServiceUpserts >= target && sink.SliceUpserts >= target);
        Report($"watch MODIFIED round {round} ({2 * count}+{2 * count})", watch.Elapsed.TotalSeconds);
    }

    await stop.CancelAsync();
    await run;
    client.Dispose();
    Console.WriteLine($"RSS before start: {baseline:F0} MiB");
    return 0;

    void Report(string phase, double seconds)
    {
        var (_, peak) = Memory.Read();
        var heap = GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0;
        var (rss, _) = Memory.Read();
        Console.WriteLine($"{phase,-34} {seconds,8:F2} {rss,8:F0} {peak,9:F0} {heap,12:F1}");
    }
}
finally
{
    try
    {
        child.StandardInput.WriteLine("quit");
        if (!child.WaitForExit(5000)) child.Kill();
    }
    catch (IOException)
    {
        child.Kill();
    }
}

static async Task WaitAsync(Func<bool> done)
{
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
    while (!done())
    {
        if (DateTime.UtcNow > deadline) throw new TimeoutException("the source did not deliver everything within 5 minutes");
        await Task.Delay(20);
    }
}
