namespace KubeProxy.Bench.Reporting;

/// <summary>
/// Scenarios that add to a run (first-packet, churn) read the results.json already in the output directory and
/// replace only their own section, so <c>scripts/bench</c> can run the scenarios one after another into one report.
/// </summary>
internal static class ReportStore
{
    public static BenchReport LoadOrCreate(string directory, string command, bool quick)
    {
        var file = Path.Combine(directory, "results.json");
        if (File.Exists(file))
        {
            try
            {
                return ReportWriter.Read(file);
            }
            catch (System.Text.Json.JsonException e)
            {
                // Never overwrite figures a previous run left: the user decides what to do with the file.
                throw new ArgumentException($"{file} is unreadable ({e.Message}); move it away or choose another --out");
            }
        }

        return new BenchReport
        {
            Started = DateTimeOffset.UtcNow,
            Machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}",
            Command = command,
            Quick = quick,
        };
    }

    /// <summary>The command line of this process, for the notes ("KubeProxy.Bench first-packet --quick ...").</summary>
    public static string CommandLine() => "KubeProxy.Bench " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
}
