using KubeProxy.ApiServer.Selectors;

namespace KubeProxy.Sources.Tests.Kubernetes;

public sealed class LabelSelectorTests
{
    [Theory]
    [InlineData("", "a=1", true)]
    [InlineData("!a", "b=1", true)]
    [InlineData("!a", "a=", false)]
    [InlineData("a", "a=", true)]
    [InlineData("a=1", "a=1", true)]
    [InlineData("a==1", "a=2", false)]
    [InlineData("a!=1", "", true)]
    [InlineData("a!=1", "a=1", false)]
    [InlineData("a in (1, 2),!b", "a=2", true)]
    [InlineData("a in (1, 2),!b", "a=2,b=", false)]
    [InlineData("a notin (1,2)", "a=3", true)]
    [InlineData("!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless", "app=web", true)]
    [InlineData("!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless", "service.kubernetes.io/headless=", false)]
    public void Selectors_match_like_the_API_server(string selector, string labels, bool matches)
    {
        var set = labels.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        Assert.Equal(matches, LabelSelector.Parse(selector).Matches(set));
    }

    [Theory]
    [InlineData("a in 1")]
    [InlineData("a b c")]
    [InlineData("=1")]
    public void Malformed_selectors_are_rejected(string selector) =>
        Assert.Throws<FormatException>(() => LabelSelector.Parse(selector));
}
