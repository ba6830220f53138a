namespace KubeProxy.Bench.Reporting;

/// <summary>One sync, split into our compute (tracking + render) and the kernel apply (nft), in milliseconds.</summary>
internal sealed record SyncTiming(double TrackingMs, double RenderMs, double ApplyMs, long ScriptBytes)
{
    public double ComputeMs => TrackingMs + RenderMs;

    public double TotalMs => ComputeMs + ApplyMs;

    /// <summary>Our compute as a share of the whole sync.</summary>
    public double ComputeShare => TotalMs > 0 ? ComputeMs / TotalMs : 0;

    public static SyncTiming Median(IReadOnlyList<SyncTiming> runs)
    {
        var ordered = runs.OrderBy(r => r.TotalMs).ToList();
        return ordered[ordered.Count / 2];
    }
}

/// <summary>Everything measured for one cluster shape.</summary>
internal sealed record SyncFigures
{
    public required string Shape { get; init; }

    public required int Services { get; init; }

    public required int EndpointsPerService { get; init; }

    /// <summary>Endpoints over both families (dual-stack Services have a slice per family).</summary>
    public required long Endpoints { get; init; }

    public required SyncTiming FullSync { get; init; }

    /// <summary><c>nft -f</c> alone loading the same script(s) into a fresh namespace: the physical limit.</summary>
    public required double KernelOnlyMs { get; init; }

    /// <summary>Our full sync over the kernel-only time.</summary>
    public double OverheadRatio => KernelOnlyMs > 0 ? FullSync.TotalMs / KernelOnlyMs : 0;

    /// <summary>A full sync over the populated kernel after the partial syncs, with nothing changed: what the
    /// periodic (hourly) and after-failure full syncs cost. Null in reports made before it was measured.</summary>
    public SyncTiming? FullResync { get; init; }

    /// <summary>Median of several partial syncs after one endpoint of one Service moved.</summary>
    public required SyncTiming EndpointChange { get; init; }

    /// <summary>Median of several partial syncs after adding one Service with all the others present.</summary>
    public required SyncTiming AddService { get; init; }

    /// <summary>Resident memory of the bench process after the full sync and an aggressive compacting GC (the one
    /// kube-proxy's MemoryTrimHook runs): state + data plane records + runtime.</summary>
    public required double SteadyRssMiB { get; init; }

    /// <summary>Peak resident memory (VmHWM, reset before this shape) during generation and the full sync.</summary>
    public required double PeakRssMiB { get; init; }

    /// <summary>Live managed objects after that GC (GC.GetTotalMemory): what the state and records really
    /// hold; RSS above it is the runtime plus memory the GC keeps committed after earlier peaks.</summary>
    public double ManagedHeapMiB { get; init; }
}

/// <summary>The process measured from outside: the real kube-proxy started on a generated manifest directory.</summary>
internal sealed record StartupFigures(int Services, int EndpointsPerService, double StartToFirstSyncMs, double PeakRssMiB, double SteadyRssMiB);

/// <summary>The whole run, as written to JSON.</summary>
internal sealed record BenchReport
{
    public required DateTimeOffset Started { get; init; }

    public required string Machine { get; init; }

    public required string Command { get; init; }

    public required bool Quick { get; init; }

    public List<SyncFigures> Sync { get; init; } = [];

    public List<StartupFigures> Startup { get; init; } = [];

    public List<FirstPacketFigures> FirstPacket { get; init; } = [];

    public List<ChurnFigures> Churn { get; init; } = [];

    public List<string> Notes { get; init; } = [];
}
