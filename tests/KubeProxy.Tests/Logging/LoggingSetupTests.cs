using KubeProxy.Logging;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Tests.Logging;

public class LoggingSetupTests
{
    [Theory]
    [InlineData(0, LogLevel.Information, LogLevel.Debug)]
    [InlineData(2, LogLevel.Information, LogLevel.Debug)]
    [InlineData(4, LogLevel.Debug, LogLevel.Trace)]
    [InlineData(6, LogLevel.Trace, LogLevel.None)]
    public void Verbosity_sets_the_enabled_levels(int verbosity, LogLevel enabled, LogLevel disabled)
    {
        using var factory = LoggingSetup.Create(verbosity);
        var logger = factory.CreateLogger("KubeProxy.Test");
        Assert.True(logger.IsEnabled(enabled));
        Assert.False(logger.IsEnabled(disabled));
    }

    [Fact]
    public void Json_format_at_verbosity_0_shows_warnings_only()
    {
        using var factory = LoggingSetup.Create(0, "json");
        var logger = factory.CreateLogger("KubeProxy.Test");
        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.False(logger.IsEnabled(LogLevel.Information));
    }
}
