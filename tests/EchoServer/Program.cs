using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace EchoServer;

/// <summary>
/// <c>echo-server --name web-1 --listen tcp:8080 --listen udp:5353 [--listen sctp:9000]</c>: answers on all
/// addresses of the network namespace it runs in, prints one ready line on stdout, exits on SIGTERM or SIGINT.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        EchoServerOptions options;
        try
        {
            options = EchoServerOptions.Parse(args);
        }
        catch (FormatException e)
        {
            await Console.Error.WriteLineAsync($"echo-server: {e.Message}\n{EchoServerOptions.Usage}");
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(Environment.GetEnvironmentVariable("ECHO_SERVER_DEBUG") is null ? LogLevel.Information : LogLevel.Debug)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var logger = loggerFactory.CreateLogger("echo-server");

        using var stopped = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var listeners = new List<EchoListener>();
        var unsupported = new List<ListenSpec>();
        try
        {
            foreach (var spec in options.Listens)
            {
                try
                {
                    listeners.Add(EchoListener.Start(options.Name, spec, EchoSockets.Listen(spec), logger));
                }
                catch (SctpUnsupportedException e)
                {
                    // Reported, not fatal: the other listeners are still useful (this kernel refuses SCTP).
                    unsupported.Add(spec);
                    await Console.Error.WriteLineAsync($"echo-server: {spec}: {e.Message}");
                }
            }

            var ready = $"echo-server ready name={options.Name} listen={string.Join(',', listeners.Select(l => l.Spec))}";
            if (unsupported.Count > 0)
            {
                ready += $" unsupported={string.Join(',', unsupported)}";
            }

            Console.Out.WriteLine(ready);
            await Console.Out.FlushAsync();

            try
            {
                await Task.Delay(Timeout.Infinite, stopped.Token);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"echo-server: cannot listen: {e.Message}");
            return 1;
        }
        finally
        {
            foreach (var listener in listeners)
            {
                await listener.DisposeAsync();
            }
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stopped.Cancel();
        }
    }
}
