using Xunit;

namespace KubeProxy.Lab.Testing;

/// <summary>A [Fact] that is skipped, with a loud reason, when the tests do not run as root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!LabEnvironment.IsRoot)
        {
            Skip = LabEnvironment.NotRootMessage;
        }
    }
}
