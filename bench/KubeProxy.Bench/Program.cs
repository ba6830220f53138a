using KubeProxy.Bench;
using KubeProxy.Bench.Scenarios;

// A tiny dispatcher: the first argument names the scenario, the rest are its options.
IScenario[] scenarios = [new ConntrackScenario(), new SyncScenario(), new ManifestsScenario(), new FirstPacketScenario(), new ChurnScenario(), new ReportScenario()];

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: KubeProxy.Bench <scenario> [options]");
    foreach (var s in scenarios) Console.WriteLine($"  {s.Name,-12} {s.Usage}");
    return args.Length == 0 ? 2 : 0;
}

var scenario = scenarios.FirstOrDefault(s => s.Name == args[0]);
if (scenario is null)
{
    Console.Error.WriteLine($"unknown scenario '{args[0]}'; known: {string.Join(", ", scenarios.Select(s => s.Name))}");
    return 2;
}

try
{
    var arguments = new BenchArguments(args.Skip(1));
    return scenario.Run(arguments);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"{scenario.Name}: {e.Message}");
    Console.Error.WriteLine($"usage: {scenario.Name} {scenario.Usage}");
    return 2;
}
