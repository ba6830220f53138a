using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using KubeProxy.Core.Metrics;
using KubeProxy.Core.Model;
using KubeProxy.Core.Snapshot;
using KubeProxy.Core.Sync;
using KubeProxy.Nftables.Execution;
using KubeProxy.Nftables.Netlink;
using KubeProxy.Nftables.Rendering;
using KubeProxy.Nftables.State;
using Microsoft.Extensions.Logging;

namespace KubeProxy.Nftables;

/// <summary>
/// The nftables proxy mode for one IP family. A full sync rewrites every Service chain and the fixed sets and maps in
/// one transaction (never the affinity sets, so ClientIP affinity survives), after the fixed part when that must go
/// (see PlanFull); a partial sync renders only the Services in the snapshot's changed set, compares each chain and
/// element with the record of what the kernel holds, and sends just the difference. The kernel is listed only on full
/// syncs. Chains that fall out of use are flushed at once and deleted in a later sync, as upstream does for kernels
/// that free them slowly.
/// The Services are spread over <see cref="NftablesOptions.ServiceTables"/> tables (<see cref="ServiceTables"/>), so a
/// partial sync's commit makes the kernel validate one table's share of the ruleset, not all of it.
/// With a <see cref="NftNetlinkApplier"/>, partial syncs and the Services' part of full syncs go straight to the kernel
/// as nf_tables netlink batches (nft 1.0.6 reads the whole namespace's ruleset before every command, and spends more
/// on parsing a large script than the kernel on applying it); without one, or when the batch encoder does not know a
/// rule, or after a refused full-sync batch, they go to nft as text.
/// </summary>
public sealed partial class NftablesDataPlane : IDataPlane
{
    private readonly NftablesOptions _options;
    private readonly INftRunner _runner;
    private readonly ProxyMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<IEnumerable<IPAddress>> _localAddresses;
    private readonly NftFamily _family;
    private readonly ServiceRenderer _renderer;
    private readonly NftNetlinkApplier? _netlink;
    private readonly ServiceTables _tables;

    private Dictionary<ObjectName, ServiceRecord> _records = [];
    private readonly Dictionary<TableScoped, DateTimeOffset> _staleChains = [];
    private HashSet<string> _nodePortIPs = new(StringComparer.Ordinal);

    /// <summary>With several tables: the Service holding each dispatch-map key (service-ips, service-nodeports), by
    /// fingerprint of map and key. In one table the kernel refuses a second Service's element for a key (and the full
    /// sync that follows lets the first Service by name win); across tables both elements would be accepted and the
    /// table whose NAT chain runs first would win, so a partial sync that adds a key held by another Service becomes a
    /// full sync instead, unless the holder keeps it anyway (first by name). (Two Services can claim one address and
    /// port through externalIPs.)</summary>
    private Dictionary<ulong, ObjectName> _dispatchOwners = [];

    /// <summary>How many Services hold each element of a shared set (hairpin-endpoints: an endpoint address reached
    /// through several Services is one element), by a 64-bit hash of set and key as <see cref="_dispatchOwners"/>
    /// rather than by the key's text, which the process otherwise no longer holds (2 MiB less at 10k x 10 in the
    /// bench). Two keys with one hash would share a count; at 100,000 keys the chance is about 3 in 10^10, accepted as
    /// for the owners. The element goes when its last holder lets go.</summary>
    private Dictionary<ulong, int> _sharedHolders = [];
    private bool _needsFullSync = true;

    /// <summary>Fingerprint of the fixed part the kernel took last (0: unknown, send it).</summary>
    private ulong _fixedPartHash;

    /// <summary>Size of the last full sync's batch, to reserve the next one's buffer.</summary>
    private long _lastFullBatchBytes;

    /// <summary>Fingerprint of the fixed chains' rules as the kernel held them right after we last wrote them (0:
    /// unknown). A full sync that finds them different (someone flushed or changed them) sends the fixed part again.</summary>
    private ulong _fixedRulesFingerprint;

    /// <summary>The last full sync's batch was refused: send the next full sync as nft text, which does not depend on
    /// our encoder or on a datagram of that size.</summary>
    private bool _nextFullViaText;

    /// <summary>The endpoint-targets key ranges each Service's chains hold (hash of chain name → range), and the allocator
    /// they came from (IEndpointSlots). A full sync starts both afresh.</summary>
    private Dictionary<ObjectName, ChainSlots[]> _slots = [];
    private EndpointSlotAllocator _slotAllocator = new();

    public NftablesDataPlane(
        NftablesOptions options,
        INftRunner runner,
        ProxyMetrics? metrics,
        ILogger logger,
        TimeProvider time,
        Func<IEnumerable<IPAddress>>? localAddresses = null,
        NftNetlinkApplier? netlink = null)
    {
        _options = options;
        _runner = runner;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _localAddresses = localAddresses ?? LocalInterfaceAddresses;
        _family = NftFamily.Of(options.Family);
        _renderer = new ServiceRenderer(options);
        _netlink = netlink;
        _tables = new ServiceTables(options.TableName, options.ServiceTables);
    }

    public string Mode => "nftables";

    public IPFamily Family => _options.Family;

    /// <summary>The last script sent to nft, when <see cref="NftablesOptions.KeepLastScript"/> is set (for tools and
    /// tests; a full sync's script is tens of megabytes at scale, so it is not kept by default).</summary>
    public string LastScript { get; private set; } = "";

    /// <summary>How the last non-empty sync reached the kernel (for tests and tools).</summary>
    public NftApplyPath LastApplyPath { get; private set; }

    /// <summary>NodePort on every local address: nodePortAddresses unset for this family, or 0.0.0.0/0 / ::/0
    /// (upstream falls back to "all" for a family without CIDRs, unless "primary" is used).</summary>
    private bool NodePortsOnAllAddresses =>
        !_options.NodePortPrimary && (_options.NodePortCidrs.Count == 0 || _options.NodePortCidrs.Any(c => c.PrefixLength == 0));

    public SyncResult Sync(ProxySnapshot snapshot, bool fullSync, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var detector = LocalDetector.Create(_options, snapshot.Node);
        var nodeIP = snapshot.Node.PrimaryIP;
        var now = _time.GetUtcNow();
        // Partial syncs trust the record of what the last successful transaction applied; after a failure (or before
        // the first sync) only a full sync, which lists the table, is safe.
        fullSync |= _needsFullSync;

        SyncPlan? plan = null;
        if (!fullSync)
        {
            plan = PlanPartial(snapshot, detector, nodeIP, now);
            // A dispatch key another Service holds: only a full sync decides (the first Service by name wins).
            fullSync = plan is null;
        }
        if (plan is null)
        {
            var listings = ListTables();
            if (_netlink is not null && !_nextFullViaText)
            {
                try
                {
                    plan = PlanFull(snapshot, detector, nodeIP, now, listings, viaNetlink: true);
                }
                catch (NftUnsupportedException e)
                {
                    Log.FullSyncAsText(_logger, _options.Family, e.Message);
                }
            }
            plan ??= PlanFull(snapshot, detector, nodeIP, now, listings, viaNetlink: false);
        }
        using var planned = plan;
        var renderTime = Stopwatch.GetElapsedTime(started);

        var applyStarted = Stopwatch.GetTimestamp();
        long bytes = 0;
        if (!plan.IsEmpty)
        {
            try
            {
                if (plan.Partial is { } partial) bytes = ApplyPartial(partial);
                else bytes = ApplyFull(plan);
            }
            catch (Exception e)
            {
                // The kernel may hold anything now (nft can fail after the batch was sent): the record cannot be
                // trusted until a full sync has listed the table and rewritten it, fixed part included.
                _needsFullSync = true;
                _fixedPartHash = 0;
                _nextFullViaText = plan.Batch is not null;
                _metrics?.NftablesSyncFailures.WithLabels(_options.Family.Label()).Inc();
                throw new SyncFailedException($"nftables {_options.Family.Label()} {(fullSync ? "full" : "partial")} sync failed: {e.Message}", e);
            }
        }
        var applyTime = Stopwatch.GetElapsedTime(applyStarted);

        // Only now, with the kernel changed, does the record change.
        plan.Commit();
        _needsFullSync = false;
        if (plan.Partial is null)
        {
            _nextFullViaText = false;
            _fixedRulesFingerprint = plan.FixedRulesFingerprint;
        }
        if (_options.KeepLastScript)
        {
            LastScript = plan.Partial is { } p ? ToScript(p).ToString()
                : plan.Batch is { } b ? (plan.Script?.ToString() ?? "") + $"# and a netlink batch of {b.Commands} commands\n"
                : plan.Script!.ToString();
        }
        return new SyncResult(fullSync, snapshot.ChangedServices.Count, renderTime, applyTime, bytes);
    }

    /// <summary>A full sync: the fixed part through nft when it must go, then the Services' batch; or one nft script.</summary>
    private long ApplyFull(SyncPlan plan)
    {
        long bytes = 0;
        if (plan.Script is { IsEmpty: false } script)
        {
            bytes += Apply(script, NftApplyPath.NftFull);
            // The fixed chains as we just wrote them (a batch that follows does not touch them).
            plan.FixedRulesFingerprint = FingerprintFixedRules() ?? 0;
        }
        if (plan.Batch is { } batch)
        {
            _netlink!.Apply(batch);
            LastApplyPath = NftApplyPath.NetlinkFull;
            bytes += batch.Length;
        }
        return bytes;
    }

    private long Apply(NftScript script, NftApplyPath path)
    {
        _runner.Apply(script);
        LastApplyPath = path;
        return script.Length;
    }

    /// <summary>An incremental transaction: as one netlink batch if possible, else as nft text.</summary>
    private long ApplyPartial(RecordedTransaction partial)
    {
        if (_netlink is not null)
        {
            NftNetlinkBatch? batch = null;
            try
            {
                batch = new NftNetlinkBatch(_options.Family, _options.TableName);
                partial.ReplayInto(batch);
                if (batch.Length > NftNetlinkApplier.MaxBatchBytes)
                    throw new NftUnsupportedException($"a batch of {batch.Length} bytes (more than {NftNetlinkApplier.MaxBatchBytes})");
                _netlink.Apply(batch);
                LastApplyPath = NftApplyPath.Netlink;
                return batch.Length;
            }
            catch (NftUnsupportedException e)
            {
                Log.PartialSyncAsText(_logger, _options.Family, e.Message);
            }
            finally
            {
                batch?.Dispose();
            }
        }
        return Apply(ToScript(partial), NftApplyPath.NftPartial);
    }

    /// <summary>What a full sync must know of the kernel: the chains and sets of our tables, by table (also tables of
    /// ours beyond the configured count, left by an earlier run, so they can go). Through netlink when we can (one
    /// family's tables only, two dumps), else through nft, table by table (which dumps the whole namespace each time).</summary>
    private IReadOnlyDictionary<string, TableListing> ListTables()
    {
        if (_netlink is not null)
        {
            try
            {
                return _netlink.ListTables(_options.Family, _tables.IsOurs);
            }
            catch (NftException e)
            {
                Log.ListingThroughNft(_logger, _options.Family, e.Message);
            }
        }
        var result = new Dictionary<string, TableListing>(StringComparer.Ordinal);
        foreach (var table in _tables.All.Concat(_runner.ListTables(_family).Where(_tables.IsOurs)).Distinct())
        {
            result[table] = _runner.List(_family, table);
        }
        return result;
    }

    private NftScript ToScript(RecordedTransaction partial)
    {
        var script = new NftScript(_family, _options.TableName);
        partial.ReplayInto(script);
        return script;
    }

    /// <summary>
    /// A full sync in two parts. The fixed part (tables, base chains, the fixed chains' rules, the fixed sets and maps
    /// declared but not flushed) is nft text: it is small and changes only with configuration, so it is sent only when
    /// it changed, when the kernel lacks a fixed chain or set, when the fixed chains' rules differ from what we last
    /// wrote (FingerprintFixedRules), or after a failure; on its own it never interrupts Service
    /// traffic, since the maps it dispatches through are untouched. The Services' part flushes every other chain and
    /// the fixed sets and maps and rewrites them: one netlink batch (<paramref name="viaNetlink"/>; nft 1.0.6 spent
    /// half of a 10,000 x 10 full sync in its own parsing and memory), or appended to the fixed part as one nft
    /// script when there is no netlink applier or the batch encoder does not know a rule. Either way the Services
    /// change in one transaction.
    /// </summary>
    private SyncPlan PlanFull(ProxySnapshot snapshot, LocalDetector detector, IPAddress? nodeIP, DateTimeOffset now,
        IReadOnlyDictionary<string, TableListing> listings, bool viaNetlink)
    {
        var serviceCidrs = snapshot.ServiceCidrs.AsImmutableArray();
        var script = new NftScript(_family, _tables.Main);
        foreach (var table in _tables.All)
        {
            // The main table has the whole fixed part; each other Service table its NAT dispatch (ServiceTables).
            var main = table == _tables.Main;
            bool Holds(string name) => main || BaseRules.InEveryServiceTable(name);
            script.UseTable(table);
            script.AddTable(BaseRules.TableComment);
            foreach (var (name, type, hook, priority) in BaseRules.BaseChains.Where(c => Holds(c.Name))) script.AddBaseChain(name, type, hook, priority);
            foreach (var name in BaseRules.RegularChains.Where(Holds)) script.AddChain(name);
            foreach (var (name, definition) in BaseRules.SetsAndMaps(_family).Where(s => Holds(s.Name))) script.AddSetOrMap(name, definition);
            foreach (var name in BaseRules.BaseChains.Select(c => c.Name).Concat(BaseRules.RegularChains).Where(Holds)) script.FlushChain(name);
            foreach (var (chain, rule) in BaseRules.Rules(_options, _family, serviceCidrs, NodePortsOnAllAddresses, detector).Where(r => Holds(r.Chain)))
            {
                script.AddRule(chain, rule);
            }
        }
        var fixedHash = Hash.Of(script.ToString(), null);
        var fixedRules = viaNetlink ? FingerprintFixedRules() : null;
        var sendFixed = fixedHash != _fixedPartHash || !HasFixedPart(listings) || fixedRules is null || fixedRules != _fixedRulesFingerprint;

        NftNetlinkBatch? batch = viaNetlink ? new NftNetlinkBatch(_options.Family, _tables.Main, FullBatchCapacity(snapshot), describeDetails: false) : null;
        try
        {
            INftTransaction target = batch is null ? script : batch;
            var at = new TableSwitch(target, batch is null ? script.Table : _tables.Main);
            var commit = WriteServices(at, snapshot, detector, nodeIP, now, listings, batch);
            if (batch is not null && batch.Length > NftNetlinkApplier.MaxFullSyncBatchBytes)
                throw new NftUnsupportedException($"a full sync batch of {batch.Length} bytes");
            var batchBytes = batch?.Length ?? _lastFullBatchBytes;
            var plan = new SyncPlan(batch is null || sendFixed ? script : null, null, () =>
            {
                commit();
                _fixedPartHash = fixedHash;
                _lastFullBatchBytes = batchBytes;
            })
            { Batch = batch, FixedRulesFingerprint = fixedRules ?? 0 };
            batch = null;
            return plan;
        }
        finally
        {
            batch?.Dispose();
        }
    }

    /// <summary>Bytes to reserve for a full sync's batch: about twice what it takes (measured: about 1,000 bytes per
    /// Service port and 550 per endpoint), or a quarter more than the last one.</summary>
    private int FullBatchCapacity(ProxySnapshot snapshot)
    {
        long estimate = 64 * 1024;
        foreach (var port in snapshot.ServicePorts.Values) estimate += 2_000 + 1_100L * port.AllReachable.Count;
        estimate = Math.Max(estimate, _lastFullBatchBytes * 5 / 4);
        return (int)Math.Min(estimate, NftNetlinkApplier.MaxFullSyncBatchBytes);
    }

    /// <summary><see cref="NftNetlinkApplier.FingerprintRules"/> of every fixed chain of every table; null when there is
    /// no netlink applier or the dump failed (the fixed part is then sent).</summary>
    private ulong? FingerprintFixedRules()
    {
        if (_netlink is null) return null;
        var chains = new List<(string, string)>();
        foreach (var table in _tables.All)
        {
            foreach (var name in BaseRules.BaseChains.Select(c => c.Name).Concat(BaseRules.RegularChains))
            {
                if (table == _tables.Main || BaseRules.InEveryServiceTable(name)) chains.Add((table, name));
            }
        }
        try
        {
            return _netlink.FingerprintRules(_options.Family, chains);
        }
        catch (NftException e)
        {
            Log.FixedRulesUnknown(_logger, _options.Family, e.Message);
            return null;
        }
    }

    /// <summary>Whether every table has every fixed chain and set it should (else the fixed part must be sent).</summary>
    private bool HasFixedPart(IReadOnlyDictionary<string, TableListing> listings)
    {
        foreach (var table in _tables.All)
        {
            var main = table == _tables.Main;
            if (!listings.TryGetValue(table, out var listing)) return false;
            foreach (var name in BaseRules.BaseChains.Select(c => c.Name).Concat(BaseRules.RegularChains))
            {
                if ((main || BaseRules.InEveryServiceTable(name)) && !listing.Chains.Contains(name)) return false;
            }
            foreach (var (name, _) in BaseRules.SetsAndMaps(_family))
            {
                if ((main || BaseRules.InEveryServiceTable(name)) && !listing.Sets.ContainsKey(name)) return false;
            }
        }
        return true;
    }

    /// <summary>The Services' part of a full sync (see <see cref="PlanFull"/>), written into <paramref name="at"/>;
    /// returns what to record once the kernel took it. Each Service's chains come before its affinity sets and rules,
    /// and every element after all rules, so nothing refers to what is not there yet; no rule refers to another
    /// Service's chains.</summary>
    /// <param name="batch">The netlink batch <paramref name="at"/> writes to, if it is one: elements are then encoded
    /// as each Service is rendered and held as bytes until the end (<see cref="NftNetlinkBatch.DeferElement"/>).</param>
    private Action WriteServices(TableSwitch at, ProxySnapshot snapshot, LocalDetector detector, IPAddress? nodeIP, DateTimeOffset now,
        IReadOnlyDictionary<string, TableListing> listings, NftNetlinkBatch? batch)
    {
        var known = new HashSet<string>(BaseRules.BaseChains.Select(c => c.Name).Concat(BaseRules.RegularChains), StringComparer.Ordinal);

        // Every rule of every Service chain goes; chains stay until a later sync finds them unused (below). Sets and
        // maps stay too: affinity state lives in sets.
        foreach (var table in _tables.All)
        {
            if (!listings.TryGetValue(table, out var listing)) continue;
            foreach (var chain in listing.Chains)
            {
                if (!known.Contains(chain)) at.Use(table).FlushChain(chain);
            }
        }
        foreach (var table in _tables.All)
        {
            var main = table == _tables.Main;
            foreach (var (name, definition) in BaseRules.SetsAndMaps(_family).Where(s => main || BaseRules.InEveryServiceTable(s.Name)))
            {
                var isMap = definition.StartsWith("map", StringComparison.Ordinal);
                // Every rule that looks up endpoint-targets was flushed above. Recreated rather than flushed: each
                // new rule's binding makes the kernel walk the map's elements, flushed ones included (a re-sync at
                // 10k x 10 took 7.7 s with a flush).
                if (ServiceRenderer.IsEndpointTargetsMap(name) && listings.TryGetValue(table, out var listing) && listing.Sets.TryGetValue(name, out var info))
                    at.Use(table).RecreateSet(name, isMap, definition, info.Definition);
                else
                    at.Use(table).FlushSet(name, isMap);
            }
        }

        var records = new Dictionary<ObjectName, ServiceRecord>(snapshot.PortsByService.Count);
        var desiredChains = new HashSet<TableScoped>();
        var desiredSets = new HashSet<TableScoped>();
        var seenElements = new HashSet<ElementKey>();
        var owners = _tables.Count > 1 ? new Dictionary<ulong, ObjectName>() : null;
        var sharedHolders = new Dictionary<ulong, int>();
        var allocator = new EndpointSlotAllocator();
        // Elements by table and set, in the order the Services gave them (nft text; a netlink batch holds them itself).
        var elements = new Dictionary<(string Table, string Map), List<MapElement>>();
        var slots = new Dictionary<ObjectName, ChainSlots[]>();
        foreach (var service in snapshot.PortsByService.Keys.Order())
        {
            var serviceTable = _tables.TableOf(service);
            var provider = new SlotProvider(allocator, null);
            var rules = _renderer.Render(service, snapshot.PortsOf(service), detector, nodeIP, provider);
            if (provider.Taken.Count > 0) slots[service] = [.. provider.Taken];
            // Two Services claiming the same address and port (possible with externalIPs): the first one wins. Shared
            // set elements are held by all of them (counted below).
            rules.Elements.RemoveAll(e => !IsShared(e.Map) && !seenElements.Add(new ElementKey(e.Map, e.Key)));
            DropMasqueradeWithoutDispatch(rules);
            records[service] = ServiceRecord.From(rules);
            if (owners is not null)
            {
                foreach (var e in rules.Elements)
                {
                    if (ServiceTables.IsDispatchMap(e.Map)) owners[ElementHash(e.Map, e.Key)] = service;
                }
            }
            foreach (var chain in rules.Chains)
            {
                var table = _tables.TableOfChain(chain.Name, serviceTable);
                desiredChains.Add(new TableScoped(table, chain.Name));
                at.Use(table).AddChain(chain.Name);
            }
            // Affinity sets: keep those whose timeout is right (their entries are the affinity state), replace the others.
            foreach (var set in rules.AffinitySets)
            {
                desiredSets.Add(new TableScoped(serviceTable, set.Name));
                if (listings.TryGetValue(serviceTable, out var listing) && listing.Sets.TryGetValue(set.Name, out var info))
                {
                    if (info.TimeoutSeconds == set.TimeoutSeconds) continue;
                    at.Use(serviceTable).DeleteSet(set.Name);
                }
                at.Use(serviceTable).AddAffinitySet(set.Name, set.TimeoutSeconds);
            }
            foreach (var chain in rules.Chains)
            {
                var target = at.Use(_tables.TableOfChain(chain.Name, serviceTable));
                foreach (var rule in chain.Rules) target.AddRule(chain.Name, rule);
            }
            foreach (var e in rules.Elements)
            {
                if (IsShared(e.Map) && Hold(sharedHolders, ElementHash(e.Map, e.Key), 1) > 1) continue;
                var elementTable = _tables.TableOfElement(e.Map, serviceTable);
                if (batch is not null)
                {
                    batch.DeferElement(elementTable, e);
                    continue;
                }
                ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(elements, (elementTable, e.Map), out _);
                (group ??= []).Add(e);
            }
        }
        // Elements go after every rule, grouped by table and set. After: a rule that looks up a map makes the kernel
        // walk the map's elements once per chain it binds from (nf_tables_bind_set), so with the endpoint-targets
        // elements first each of the 10,000 rules of 10k x 10 walked thousands (apply 5.9 s instead of 3 s).
        // Grouped: consecutive elements of one set share a netlink message (NftNetlinkBatch.AddElement).
        // Grouped, not sorted: a sort of every element cost a tenth of a 10k x 10 full sync's compute.
        batch?.WriteDeferredElements();
        foreach (var (table, map) in elements.Keys.OrderBy(k => k.Table, StringComparer.Ordinal).ThenBy(k => k.Map, StringComparer.Ordinal))
        {
            var target = at.Use(table);
            foreach (var e in elements[(table, map)]) target.AddElement(e);
        }

        var nodePortIPs = DesiredNodePortIPs(snapshot);
        if (!NodePortsOnAllAddresses)
        {
            foreach (var table in _tables.All)
            {
                foreach (var ip in nodePortIPs) at.Use(table).AddElement(new MapElement(BaseRules.NodePortIPsSet, ip, ""));
            }
        }

        // Affinity sets nothing wants any more (every rule that used them was flushed above). Chains in the kernel
        // that nothing wants: flushed above; deleted once they have had time to become unreferenced. Tables of ours
        // beyond the configured count (an earlier run had more) go whole: their Services are in the other tables
        // from this transaction on.
        var stale = new Dictionary<TableScoped, DateTimeOffset>();
        foreach (var (table, listing) in listings)
        {
            if (!_tables.All.Contains(table))
            {
                at.Use(table).DeleteTable();
                continue;
            }
            foreach (var (name, _) in listing.Sets)
            {
                if (name.StartsWith("affinity-", StringComparison.Ordinal) && !desiredSets.Contains(new TableScoped(table, name))) at.Use(table).DeleteSet(name);
                // An endpoint-targets map of another layout (an earlier version had one per protocol): its rules went
                // with the flush above.
                else if (ServiceRenderer.IsEndpointTargetsMap(name) && !EndpointTargetsMapNames.Contains(name)) at.Use(table).DeleteSet(name);
            }
            foreach (var chain in listing.Chains)
            {
                var key = new TableScoped(table, chain);
                if (known.Contains(chain) || desiredChains.Contains(key)) continue;
                var since = _staleChains.TryGetValue(key, out var t) ? t : now;
                if (now - since >= _options.StaleChainDeleteDelay) at.Use(table).DeleteChain(chain);
                else stale[key] = since;
            }
        }

        return () =>
        {
            _records = records;
            _dispatchOwners = owners ?? [];
            _sharedHolders = sharedHolders;
            _slots = slots;
            _slotAllocator = allocator;
            _staleChains.Clear();
            foreach (var (k, v) in stale) _staleChains[k] = v;
            _nodePortIPs = nodePortIPs;
        };
    }

    private static readonly HashSet<string> EndpointTargetsMapNames = [.. ServiceRenderer.EndpointTargetsMaps().Select(m => m.Map)];

    /// <summary>The partial sync's commands, or null when a full sync must decide (<see cref="_dispatchOwners"/>, or the
    /// endpoint-targets keys ran out).</summary>
    private SyncPlan? PlanPartial(ProxySnapshot snapshot, LocalDetector detector, IPAddress? nodeIP, DateTimeOffset now)
    {
        var ownerChanges = new List<(ulong Key, ObjectName Service, bool Add)>();
        var sharedChanges = new Dictionary<ElementKey, int>();
        var slotChanges = new List<(ObjectName Service, ChainSlots[]? Old, ChainSlots[] New)>();
        var deleteElements = new List<(string Table, ElementKey Key)>();
        var chainOps = new List<(TableScoped Chain, bool Add)>();
        var deleteSets = new List<TableScoped>();
        var addSets = new List<(string Table, AffinitySet Set)>();
        var rules = new List<(string Table, RenderedChain Chain)>();
        var addElements = new List<(string Table, MapElement Element)>();
        var flushStale = new List<TableScoped>();
        var updates = new Dictionary<ObjectName, ServiceRecord?>();
        var newlyStale = new List<TableScoped>();
        var revived = new List<TableScoped>();
        var claimedNow = new Dictionary<ulong, ObjectName>();

        foreach (var service in snapshot.ChangedServices)
        {
            var serviceTable = _tables.TableOf(service);
            var old = _records.GetValueOrDefault(service) ?? ServiceRecord.Empty;
            var oldSlots = _slots.GetValueOrDefault(service);
            var provider = new SlotProvider(_slotAllocator, oldSlots);
            ServiceRules rendered;
            try
            {
                rendered = snapshot.PortsByService.ContainsKey(service)
                    ? _renderer.Render(service, snapshot.PortsOf(service), detector, nodeIP, provider)
                    : new ServiceRules(service);
            }
            catch (EndpointSlotsExhaustedException)
            {
                return null; // a full sync starts a fresh key space
            }
            slotChanges.Add((service, oldSlots, [.. provider.Taken]));
            if (_tables.Count > 1 && !DropKeysHeldByOthers(rendered, snapshot, claimedNow)) return null;
            DropMasqueradeWithoutDispatch(rendered);
            var next = ServiceRecord.From(rendered);

            foreach (var key in old.ElementsChangedOrMissingIn(next))
            {
                if (IsShared(key.Map))
                {
                    Hold(sharedChanges, key, -1);
                    continue;
                }
                deleteElements.Add((_tables.TableOfElement(key.Map, serviceTable), key));
                if (_tables.Count > 1 && ServiceTables.IsDispatchMap(key.Map)) ownerChanges.Add((ElementHash(key.Map, key.Key), service, false));
            }
            foreach (var e in rendered.Elements)
            {
                next.TryGetElement(e.Map, e.Key, out var hash);
                if (old.TryGetElement(e.Map, e.Key, out var h) && h == hash) continue;
                if (IsShared(e.Map))
                {
                    Hold(sharedChanges, new ElementKey(e.Map, e.Key), 1);
                    continue;
                }
                addElements.Add((_tables.TableOfElement(e.Map, serviceTable), e));
                if (_tables.Count > 1 && ServiceTables.IsDispatchMap(e.Map)) ownerChanges.Add((ElementHash(e.Map, e.Key), service, true));
            }

            // A set still used by a rule cannot be deleted: when one of this Service's affinity sets goes (or is
            // replaced for a new timeout), every chain of the Service is rewritten, which drops those references.
            var goneSets = old.AffinitySetsChangedOrMissingIn(next);
            foreach (var set in goneSets) deleteSets.Add(new TableScoped(serviceTable, set));
            var setDeleted = goneSets.Count > 0;
            foreach (var set in rendered.AffinitySets)
            {
                if (!old.TryGetAffinitySet(set.Name, out var t) || t != set.TimeoutSeconds) addSets.Add((serviceTable, set));
            }

            foreach (var chain in rendered.Chains)
            {
                var key = new TableScoped(_tables.TableOfChain(chain.Name, serviceTable), chain.Name);
                next.TryGetChain(chain.Name, out var hash);
                if (old.TryGetChain(chain.Name, out var oldHash))
                {
                    if (oldHash == hash && !setDeleted) continue;
                    chainOps.Add((key, false));
                }
                else
                {
                    chainOps.Add((key, true));
                    if (_staleChains.ContainsKey(key))
                    {
                        // Wanted again before it was deleted: it exists (flushed), so flush it again to be sure.
                        revived.Add(key);
                        chainOps.Add((key, false));
                    }
                }
                rules.Add((key.Table, chain));
            }
            foreach (var chain in old.ChainsMissingFrom(next))
            {
                var key = new TableScoped(_tables.TableOfChain(chain, serviceTable), chain);
                flushStale.Add(key);
                newlyStale.Add(key);
            }

            updates[service] = rendered.Chains.Count == 0 && rendered.Elements.Count == 0 && rendered.AffinitySets.Count == 0 ? null : next;
        }

        // A shared element is added by its first holder and deleted with its last.
        foreach (var (key, change) in sharedChanges)
        {
            var before = _sharedHolders.GetValueOrDefault(ElementHash(key.Map, key.Key));
            var after = before + change;
            if (before > 0 && after <= 0) deleteElements.Add((_tables.Main, key));
            else if (before <= 0 && after > 0) addElements.Add((_tables.Main, new MapElement(key.Map, key.Key, "")));
        }

        var script = new RecordedTransaction();
        var at = new TableSwitch(script, _tables.Main);
        foreach (var (table, key) in deleteElements) at.Use(table).DeleteElement(key.Map, key.Key);
        foreach (var (chain, add) in chainOps)
        {
            if (add) at.Use(chain.Table).AddChain(chain.Name);
            else at.Use(chain.Table).FlushChain(chain.Name);
        }
        foreach (var chain in flushStale) at.Use(chain.Table).FlushChain(chain.Name);
        // Sets are referenced by rules: rules that used a set being replaced were flushed above.
        foreach (var set in deleteSets) at.Use(set.Table).DeleteSet(set.Name);
        foreach (var (table, set) in addSets) at.Use(table).AddAffinitySet(set.Name, set.TimeoutSeconds);
        foreach (var (table, chain) in rules)
        {
            var target = at.Use(table);
            foreach (var rule in chain.Rules) target.AddRule(chain.Name, rule);
        }
        foreach (var (table, e) in addElements) at.Use(table).AddElement(e);

        var nodePortIPs = DesiredNodePortIPs(snapshot);
        if (!NodePortsOnAllAddresses)
        {
            foreach (var table in _tables.All)
            {
                foreach (var ip in _nodePortIPs.Except(nodePortIPs)) at.Use(table).DeleteElement(BaseRules.NodePortIPsSet, ip);
                foreach (var ip in nodePortIPs.Except(_nodePortIPs)) at.Use(table).AddElement(new MapElement(BaseRules.NodePortIPsSet, ip, ""));
            }
        }

        // Bounded per sync: after a restart with another table count most chains of the old tables go stale at once
        // (100,000 at 10,000 x 10), and deleting them all in one partial sync would hold up the change it carries.
        var deleteNow = _staleChains
            .Where(kv => now - kv.Value >= _options.StaleChainDeleteDelay && !revived.Contains(kv.Key))
            .Select(kv => kv.Key)
            .Take(MaxStaleChainDeletesPerSync)
            .ToList();
        foreach (var chain in deleteNow) at.Use(chain.Table).DeleteChain(chain.Name);

        return new SyncPlan(null, script, () =>
        {
            foreach (var (service, record) in updates)
            {
                if (record is null) _records.Remove(service);
                else _records[service] = record;
            }
            foreach (var chain in deleteNow) _staleChains.Remove(chain);
            foreach (var chain in revived) _staleChains.Remove(chain);
            foreach (var chain in newlyStale) _staleChains.TryAdd(chain, now);
            _nodePortIPs = nodePortIPs;
            foreach (var (key, change) in sharedChanges)
            {
                var hash = ElementHash(key.Map, key.Key);
                if (Hold(_sharedHolders, hash, change) <= 0) _sharedHolders.Remove(hash);
            }
            // Ranges a Service no longer uses become free only now, so none is handed out twice in one transaction.
            foreach (var (service, old, taken) in slotChanges)
            {
                foreach (var (chain, range) in old ?? [])
                {
                    if (!Array.Exists(taken, t => t.Chain == chain && t.Range == range)) _slotAllocator.Release(range.Start, range.Count);
                }
                if (taken.Length > 0) _slots[service] = taken;
                else _slots.Remove(service);
            }
            // Releases before claims: a key whose value changed is in both.
            foreach (var (key, service, _) in ownerChanges.Where(c => !c.Add))
            {
                if (_dispatchOwners.TryGetValue(key, out var owner) && owner == service) _dispatchOwners.Remove(key);
            }
            foreach (var (key, service, _) in ownerChanges.Where(c => c.Add)) _dispatchOwners[key] = service;
        });
    }

    /// <summary>
    /// Removes from <paramref name="rendered"/> the dispatch keys another Service holds and keeps, as a full sync
    /// would: the first Service by name keeps a key. False when only a full sync can decide (the holder comes later by
    /// name, or is itself changing now, or another Service of this same sync claims the key: <paramref
    /// name="claimedNow"/>, where this Service's keys are added). With several tables the kernel cannot refuse two
    /// Services' elements for one key, since each lands in its own table's map; the table whose chain ran first
    /// would win (seen in the lab).
    /// </summary>
    private bool DropKeysHeldByOthers(ServiceRules rendered, ProxySnapshot snapshot, Dictionary<ulong, ObjectName> claimedNow)
    {
        var kept = new List<ulong>();
        for (var i = rendered.Elements.Count - 1; i >= 0; i--)
        {
            var e = rendered.Elements[i];
            if (!ServiceTables.IsDispatchMap(e.Map)) continue;
            var hash = ElementHash(e.Map, e.Key);
            // Claimed by another Service of this sync: neither holds it yet. Held by a Service that comes later by
            // name, or that changes now: it may have to give the key up. Either way only a full sync can decide.
            if (!claimedNow.TryGetValue(hash, out var rival))
            {
                if (!_dispatchOwners.TryGetValue(hash, out rival) || rival == rendered.Service)
                {
                    kept.Add(hash);
                    continue;
                }
                if (rival.CompareTo(rendered.Service) < 0 && !snapshot.ChangedServices.Contains(rival))
                {
                    rendered.Elements.RemoveAt(i);
                    continue;
                }
            }
            Log.DispatchKeyClaimed(_logger, _options.Family, rendered.Service, e.Key, rival);
            return false;
        }
        foreach (var hash in kept) claimedNow[hash] = rendered.Service;
        return true;
    }

    private const int MaxStaleChainDeletesPerSync = 5_000;

    /// <summary>A Service's ClusterIP masquerade element goes with its service-ips element of the same key: when another
    /// Service holds that address and port (an externalIP or load-balancer IP equal to this ClusterIP, first by name),
    /// the traffic goes to the other Service, which must not be masqueraded for this one (with Local policy it keeps
    /// the client's address). Upstream's per-chain rule was never reached in that case.</summary>
    private static void DropMasqueradeWithoutDispatch(ServiceRules rules)
    {
        var elements = rules.Elements;
        for (var i = elements.Count - 1; i >= 0; i--)
        {
            var e = elements[i];
            if (e.Map != ServiceRenderer.ClusterIPMasqueradeSet) continue;
            if (!elements.Exists(d => d.Map == ServiceRenderer.ServiceIPsMap && d.Key == e.Key)) elements.RemoveAt(i);
        }
    }

    /// <summary>Sets whose elements several Services may hold at once (<see cref="_sharedHolders"/>).</summary>
    private static bool IsShared(string map) => map == ServiceRenderer.HairpinSet;

    /// <summary>Adds <paramref name="change"/> to the holders of <paramref name="key"/>; the new count.</summary>
    private static int Hold<TKey>(Dictionary<TKey, int> holders, TKey key, int change)
        where TKey : notnull
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(holders, key, out _);
        count += change;
        return count;
    }

    /// <summary>A set or map element's identity in 64 bits (<see cref="_dispatchOwners"/>, <see cref="_sharedHolders"/>).</summary>
    private static ulong ElementHash(string map, string key) => Hash.Of(key, map);

    /// <summary>The addresses that accept NodePort traffic: the node's primary IP ("primary"), or the local
    /// addresses inside the configured CIDRs.</summary>
    private HashSet<string> DesiredNodePortIPs(ProxySnapshot snapshot)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (_options.NodePortPrimary)
        {
            if (snapshot.Node.PrimaryIP is { } primary) result.Add(primary.ToString());
            return result;
        }
        if (NodePortsOnAllAddresses) return result;
        foreach (var address in _localAddresses())
        {
            if (address.Family() != _options.Family || IPAddress.IsLoopback(address)) continue;
            if (_options.NodePortCidrs.Any(c => c.Contains(address))) result.Add(address.ToString());
        }
        return result;
    }

    private static IEnumerable<IPAddress> LocalInterfaceAddresses() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !a.IsIPv6LinkLocal);

    /// <summary>A range of endpoint-targets keys.</summary>
    private readonly record struct SlotRange(uint Start, int Count);

    /// <summary>The range a Service's chain holds, the chain named by a 64-bit hash of its name: a Service has one or
    /// a few such chains, and the names themselves were 2 MiB at 10,000 Services (kept in a dictionary each).</summary>
    private readonly record struct ChainSlots(ulong Chain, SlotRange Range);

    /// <summary>The key ranges of one Service's render: a chain keeps its previous range while its endpoint count
    /// is the same (then only changed endpoints are changed elements); anything else comes from the allocator.</summary>
    private sealed class SlotProvider(EndpointSlotAllocator allocator, ChainSlots[]? previous) : IEndpointSlots
    {
        public List<ChainSlots> Taken { get; } = [];

        public uint Reserve(string chain, int count)
        {
            var hash = Hash.Of(chain, null);
            var i = previous is null ? -1 : Array.FindIndex(previous, p => p.Chain == hash);
            var range = i >= 0 && previous![i].Range.Count == count ? previous[i].Range : new SlotRange(allocator.Allocate(count), count);
            Taken.RemoveAll(t => t.Chain == hash);
            Taken.Add(new ChainSlots(hash, range));
            return range.Start;
        }
    }

    /// <summary>A chain or set and the table it is in.</summary>
    private readonly record struct TableScoped(string Table, string Name);

    /// <summary>Writes a table switch into a transaction only when the table changes, so a partial sync within one
    /// table records no switch at all.</summary>
    private sealed class TableSwitch(INftTransaction transaction, string first)
    {
        private string _current = first;

        public INftTransaction Use(string table)
        {
            if (table != _current)
            {
                transaction.UseTable(table);
                _current = table;
            }
            return transaction;
        }
    }

    /// <summary>A full sync's script or a partial sync's commands, and what to record once the kernel took them.</summary>
    /// <summary>A full sync's script (the fixed part when <see cref="Batch"/> carries the Services, else all of it) or a
    /// partial sync's commands, and what to record once the kernel took them.</summary>
    private sealed record SyncPlan(NftScript? Script, RecordedTransaction? Partial, Action Commit) : IDisposable
    {
        public NftNetlinkBatch? Batch { get; init; }

        /// <summary>The fixed chains' rule fingerprint to remember once the full sync succeeded.</summary>
        public ulong FixedRulesFingerprint { get; set; }

        public bool IsEmpty => (Script?.IsEmpty ?? true) && (Partial?.IsEmpty ?? true) && (Batch?.Commands ?? 0) == 0;

        public void Dispose() => Batch?.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "nftables {Family} partial sync sent as nft text: {Reason}")]
        public static partial void PartialSyncAsText(ILogger logger, IPFamily family, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "nftables {Family}: Service {Service} claims {Key}, which Service {Owner} holds or claims too; a full sync decides (the first Service by name keeps it)")]
        public static partial void DispatchKeyClaimed(ILogger logger, IPFamily family, ObjectName service, string key, ObjectName owner);

        [LoggerMessage(Level = LogLevel.Warning, Message = "nftables {Family}: could not read the fixed chains' rules, sending them again: {Reason}")]
        public static partial void FixedRulesUnknown(ILogger logger, IPFamily family, string reason);

        [LoggerMessage(Level = LogLevel.Debug, Message = "nftables {Family} full sync sent as nft text: {Reason}")]
        public static partial void FullSyncAsText(ILogger logger, IPFamily family, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "nftables {Family} table listed through nft after the netlink listing failed: {Reason}")]
        public static partial void ListingThroughNft(ILogger logger, IPFamily family, string reason);
    }
}
