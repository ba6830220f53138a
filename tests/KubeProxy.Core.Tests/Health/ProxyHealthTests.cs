using KubeProxy.Core.Health;
using KubeProxy.Core.Model;
using Microsoft.Extensions.Time.Testing;
using static KubeProxy.Core.Tests.Support.Make;

namespace KubeProxy.Core.Tests.Health;

/// <summary>Proxy health state, as upstream ProxyHealthServer (pkg/proxy/healthcheck/proxy_health.go).</summary>
public sealed class ProxyHealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ProxyHealth _health;

    public ProxyHealthTests() => _health = new ProxyHealth(_time, Timeout, [IPFamily.IPv4, IPFamily.IPv6]);

    [Fact]
    public void StartingProxyIsHealthyAndHasNeverUpdated()
    {
        var report = _health.Report();
        Assert.True(report.Healthy);
        Assert.Equal(default, report.LastUpdated);
        Assert.Equal(_time.GetUtcNow(), report.CurrentTime);
        Assert.Equal([IPFamily.IPv4, IPFamily.IPv6], report.Families.Keys.Order());
        Assert.All(report.Families.Values, f => Assert.True(f.Healthy));
    }

    [Fact]
    public void IdleProxyStaysHealthyForever()
    {
        _health.Updated(IPFamily.IPv4);
        _health.Updated(IPFamily.IPv6);
        _time.Advance(TimeSpan.FromDays(3));
        Assert.True(_health.Report().Healthy);
    }

    [Fact]
    public void QueuedUpdateIsHealthyUntilTheTimeoutAndUnhealthyFromIt()
    {
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.True(_health.Report().Healthy);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var report = _health.Report();
        Assert.False(report.Healthy);
        Assert.False(report.Families[IPFamily.IPv4].Healthy);
        Assert.True(report.Families[IPFamily.IPv6].Healthy);
    }

    [Fact]
    public void QueuedProxyThatNeverSyncedBecomesUnhealthy()
    {
        // Unlike an idle start, a change that is never applied must show.
        _health.QueuedUpdate(IPFamily.IPv6);
        _time.Advance(Timeout * 2);
        Assert.False(_health.Report().Healthy);
    }

    [Fact]
    public void TheOldestQueuedUpdateCounts()
    {
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout / 2);
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout / 2);
        Assert.False(_health.Report().Healthy);
    }

    [Fact]
    public void UpdatedMakesTheFamilyHealthyAgain()
    {
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout * 2);
        Assert.False(_health.Report().Healthy);

        _health.Updated(IPFamily.IPv4);
        var report = _health.Report();
        Assert.True(report.Healthy);
        Assert.Equal(_time.GetUtcNow(), report.Families[IPFamily.IPv4].LastUpdated);
        Assert.Equal(_time.GetUtcNow(), report.LastUpdated);

        // The next queued update starts a new clock.
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout / 2);
        Assert.True(_health.Report().Healthy);
    }

    [Fact]
    public void FamiliesAreJudgedSeparately()
    {
        _health.QueuedUpdate(IPFamily.IPv4);
        _health.QueuedUpdate(IPFamily.IPv6);
        _time.Advance(Timeout);
        _health.Updated(IPFamily.IPv6);

        var report = _health.Report();
        Assert.False(report.Healthy);
        Assert.False(report.Families[IPFamily.IPv4].Healthy);
        Assert.True(report.Families[IPFamily.IPv6].Healthy);

        _health.Updated(IPFamily.IPv4);
        Assert.True(_health.Report().Healthy);
    }

    [Fact]
    public void UnhealthyReportCarriesTheLastUpdateOfTheUnhealthyFamily()
    {
        // Upstream reports the failing proxier's lastUpdated, not the newest of all families.
        var v4Updated = _time.GetUtcNow();
        _health.Updated(IPFamily.IPv4);
        _health.QueuedUpdate(IPFamily.IPv4);
        _time.Advance(Timeout);
        _health.Updated(IPFamily.IPv6);

        var report = _health.Report();
        Assert.False(report.Healthy);
        Assert.Equal(v4Updated, report.LastUpdated);
        Assert.Equal(_time.GetUtcNow(), report.Families[IPFamily.IPv6].LastUpdated);
    }

    [Fact]
    public void HealthyReportCarriesTheNewestUpdate()
    {
        _health.Updated(IPFamily.IPv4);
        _time.Advance(TimeSpan.FromSeconds(5));
        _health.Updated(IPFamily.IPv6);
        Assert.Equal(_time.GetUtcNow(), _health.Report().LastUpdated);
    }

    [Fact]
    public void NodeIsEligibleUntilANodeEventSaysOtherwise()
    {
        Assert.True(_health.Report().NodeEligible);

        _health.SetNode(Node("zone-a"));
        Assert.True(_health.Report().NodeEligible);

        _health.SetNode(Node("zone-a") with { IsBeingDeleted = true });
        Assert.False(_health.Report().NodeEligible);

        _health.SetNode(Node("zone-a"));
        Assert.True(_health.Report().NodeEligible);

        _health.SetNode(Node("zone-a") with { IsToBeDeletedByClusterAutoscaler = true });
        Assert.False(_health.Report().NodeEligible);

        _health.SetNode(null);
        Assert.False(_health.Report().NodeEligible);
    }

    [Fact]
    public void NodeEligibilityDoesNotAffectProxyHealth()
    {
        _health.SetNode(null);
        var report = _health.Report();
        Assert.True(report.Healthy);
        Assert.False(report.NodeEligible);
    }

    [Fact]
    public void SingleStackHealthHasOneFamily()
    {
        var health = new ProxyHealth(_time, Timeout, [IPFamily.IPv6]);
        Assert.Equal([IPFamily.IPv6], health.Families);
        Assert.Equal(Timeout, health.HealthTimeout);
        Assert.Equal([IPFamily.IPv6], health.Report().Families.Keys);
    }
}
