using MigrationCluster.Memory.Machines;
using MigrationCluster.Grains.Monitoring;
using System.Diagnostics;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Diagnostics;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Grains.Placement;
using MigrationCluster.Hosting.Telemetry;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Cli.Bench;

/// <summary>
/// The benchmark's machine on Orleans silos hosted in this process: NUMA node grains spread over
/// the silos, one address space per node with its pages there (populated in bulk). A round moves
/// every page to the next node: one migrate_pages per source node, each on the coordinator that
/// lives with that node, all at once (at most <see cref="MaxConcurrentCalls"/>).
/// </summary>
internal sealed class GrainMigrationEngine : IAsyncDisposable
{
    /// <summary>
    /// At most this many migrate_pages calls (one per source node) run at once: plenty to keep
    /// two cores busy, few enough that a 1,024-node machine's calls do not all hold their
    /// buffers at the same time.
    /// </summary>
    public const int MaxConcurrentCalls = 64;

    private readonly EmbeddedCluster _cluster;
    private readonly int _nodes;
    private PageRef[] _pages = [];

    private GrainMigrationEngine(EmbeddedCluster cluster, int nodes)
    {
        _cluster = cluster;
        _nodes = nodes;
    }

    public int Pages => _pages.Length;

    /// <summary>
    /// Bytes the process allocated during the last round's migration calls (from the calls to
    /// their results: the requests are the caller's input, built before).
    /// </summary>
    public long LastRoundAllocatedBytes { get; private set; }

    public int Silos => _cluster.Silos.Count;

    /// <summary>The last round's simulated duration: its calls side by side, as long as the longest.</summary>
    public long LastRoundSimulatedNs { get; private set; }

    public long LastRoundTlbShootdowns { get; private set; }

    public IGrainFactory Grains => _cluster.GrainFactory;

    public static async Task<GrainMigrationEngine> StartAsync(int silos, int pages, int nodes, MachineProfile? machine = null, MigrationProtocolKind protocol = MigrationProtocolKind.PerPage)
    {
        var cluster = await EmbeddedCluster.StartAsync(silos, silo => silo.AddGrainCallCounting());
        var engine = new GrainMigrationEngine(cluster, nodes);
        try
        {
            await engine.BuildAsync(pages / nodes, machine, protocol);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
        return engine;
    }

    private async Task BuildAsync(int perNode, MachineProfile? machine, MigrationProtocolKind protocol)
    {
        var grains = _cluster.GrainFactory;
        var topology = machine is null ? SlitGenerator.Ring(_nodes) : MachineTopology.Of(machine);
        var rows = topology.DistanceRows();
        await Task.WhenAll(Enumerable.Range(0, _nodes).Select(n => grains.GetGrain<INumaNodeGrain>(n).Configure(new NodeConfiguration((2 * perNode) + 64))));
        // The machine the coordinators cost their steps on (the model's ring, or the described machine).
        await grains.GetMachineMonitor().ConfigureMachine(new MachineDescription(rows, (2 * perNode) + 64, "bench migration", machine, protocol));
        var pages = new PageRef[_nodes][];
        await Parallel.ForEachAsync(Enumerable.Range(0, _nodes), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentCalls }, async (n, _) =>
        {
            var space = grains.GetGrain<IAddressSpaceGrain>(n);
            await space.Configure(new AddressSpaceConfiguration(n, [.. topology.FallbackOrder(n)], rows[n], MigrationCluster.Grains.Experiments.ExperimentSpec.DefaultLocalAccessNs));
            await space.MmapAnonPopulate(perNode);
            pages[n] = await space.PresentPages();
        });
        _pages = [.. pages.SelectMany(p => p)];
    }

    /// <summary>Every page to the next node; pages per second and pages migrated.</summary>
    public async Task<(double PagesPerS, long Migrated)> MigrateRoundAsync()
    {
        // Each source node's pages: their indexes in _pages, in exactly sized arrays.
        var counts = new int[_nodes];
        foreach (var page in _pages)
        {
            counts[page.Node]++;
        }
        var bySource = new int[_nodes][];
        for (var node = 0; node < _nodes; node++)
        {
            bySource[node] = new int[counts[node]];
        }
        Array.Clear(counts);
        for (var i = 0; i < _pages.Length; i++)
        {
            bySource[_pages[i].Node][counts[_pages[i].Node]++] = i;
        }
        long migrated = 0;
        LastRoundSimulatedNs = 0;
        LastRoundTlbShootdowns = 0;
        if (_nodes <= MaxConcurrentCalls)
        {
            // All calls at once, their requests built beforehand: the bytes allocated from the
            // calls to their answers are the grain path's own.
            var requests = new MigrationRequest[_nodes][];
            for (var node = 0; node < _nodes; node++)
            {
                requests[node] = RequestsFrom(node, bySource[node]);
            }
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            var calls = new Task<MigrationRunResult?>[_nodes];
            for (var node = 0; node < _nodes; node++)
            {
                calls[node] = MigrateFromAsync(node, requests[node]);
            }
            var results = await Task.WhenAll(calls);
            var elapsed = watch.Elapsed;
            LastRoundAllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            for (var node = 0; node < _nodes; node++)
            {
                migrated += Apply(bySource[node], results[node]);
            }
            return (migrated / elapsed.TotalSeconds, migrated);
        }

        // A machine of a thousand nodes: a bounded number of calls at a time, each building its
        // requests and taking in its answer, so only those calls' buffers are alive at once.
        var scaleWatch = Stopwatch.StartNew();
        var allocatedAtStart = GC.GetTotalAllocatedBytes(precise: true);
        await Parallel.ForEachAsync(Enumerable.Range(0, _nodes), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentCalls }, async (node, _) =>
        {
            var result = await MigrateFromAsync(node, RequestsFrom(node, bySource[node]));
            Interlocked.Add(ref migrated, Apply(bySource[node], result));
        });
        LastRoundAllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtStart;
        return (migrated / scaleWatch.Elapsed.TotalSeconds, migrated);
    }

    /// <summary>Node <paramref name="node"/>'s pages, each to the next node.</summary>
    private MigrationRequest[] RequestsFrom(int node, int[] indexes)
    {
        var requests = new MigrationRequest[indexes.Length];
        for (var k = 0; k < indexes.Length; k++)
        {
            requests[k] = new MigrationRequest(_pages[indexes[k]], (node + 1) % _nodes);
        }
        return requests;
    }

    /// <summary>Where the migrated pages are now; returns how many moved. (Each index is one node's, so calls apply side by side.)</summary>
    private long Apply(int[] indexes, MigrationRunResult? result)
    {
        if (result is null)
        {
            return 0;
        }
        lock (_pages)
        {
            LastRoundSimulatedNs = Math.Max(LastRoundSimulatedNs, result.SimulatedNs);
            LastRoundTlbShootdowns += result.TlbShootdowns;
        }
        long migrated = 0;
        for (var k = 0; k < indexes.Length; k++)
        {
            if (result.PageErrno[k] == 0)
            {
                _pages[indexes[k]] = result.NewPages[k];
                migrated++;
            }
        }
        return migrated;
    }

    private async Task<MigrationRunResult?> MigrateFromAsync(int node, MigrationRequest[] requests) => requests.Length == 0
        ? null
        : await _cluster.GrainFactory.GetGrain<IMigrationCoordinatorGrain>(node).MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall);

    /// <summary>Ping calls per second from the first silo's host to a ping grain on that silo (local) or another one (remote).</summary>
    public async Task<(double Sequential, double Concurrent)> PingAsync(bool remote, int callers, TimeSpan duration)
    {
        var services = _cluster.Silos[0];
        var here = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var silos = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress).ToArray();
        var key = Enumerable.Range(0, 64).First(k => (NumaNodePlacementDirector.SiloFor(k, silos) != here) == remote);
        var ping = _cluster.GrainFactory.GetGrain<IPingGrain>(key);
        await ping.Ping(0);

        var sequential = await CallsPerSecondAsync(1, duration, ping);
        var concurrent = await CallsPerSecondAsync(callers, duration, ping);
        return (sequential, concurrent);
    }

    private static async Task<double> CallsPerSecondAsync(int callers, TimeSpan duration, IPingGrain ping)
    {
        long calls = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            var mine = 0L;
            while (watch.Elapsed < duration)
            {
                await ping.Ping(1);
                mine++;
            }
            Interlocked.Add(ref calls, mine);
        }));
        return calls / watch.Elapsed.TotalSeconds;
    }

    public ValueTask DisposeAsync() => _cluster.DisposeAsync();
}
