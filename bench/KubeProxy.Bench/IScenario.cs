namespace KubeProxy.Bench;

/// <summary>One benchmark, run as <c>KubeProxy.Bench NAME [options]</c>.</summary>
internal interface IScenario
{
    string Name { get; }

    /// <summary>One line for the usage text, options included.</summary>
    string Usage { get; }

    int Run(BenchArguments arguments);
}
