using Xunit;

namespace KubeProxy.Lab.Testing;

/// <summary>A [Theory] that is skipped, with a loud reason, when the tests do not run as root.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!LabEnvironment.IsRoot)
        {
            Skip = LabEnvironment.NotRootMessage;
        }
    }
}
