using System.Diagnostics;
using MigrationCluster.Cli.Hosting;
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
/// lives with that node, all at once.
/// </summary>
internal sealed class GrainMigrationEngine : IAsyncDisposable
{
    private readonly EmbeddedCluster _cluster;
    private readonly int _nodes;
    private PageRef[] _pages = [];

    private GrainMigrationEngine(EmbeddedCluster cluster, int nodes)
    {
        _cluster = cluster;
        _nodes = nodes;
    }

    public int Pages => _pages.Length;

    public int Silos => _cluster.Silos.Count;

    public IGrainFactory Grains => _cluster.GrainFactory;

    public static async Task<GrainMigrationEngine> StartAsync(int silos, int pages, int nodes)
    {
        var cluster = await EmbeddedCluster.StartAsync(silos, silo => silo.AddGrainCallCounting());
        var engine = new GrainMigrationEngine(cluster, nodes);
        try
        {
            await engine.BuildAsync(pages / nodes);
        }
        catch
        {
            await engine.DisposeAsync();
            throw;
        }
        return engine;
    }

    private async Task BuildAsync(int perNode)
    {
        var grains = _cluster.GrainFactory;
        var topology = SlitGenerator.Ring(_nodes);
        var rows = topology.DistanceRows();
        await Task.WhenAll(Enumerable.Range(0, _nodes).Select(n => grains.GetGrain<INumaNodeGrain>(n).Configure(new NodeConfiguration((2 * perNode) + 64))));
        var tables = await Task.WhenAll(Enumerable.Range(0, _nodes).Select(async n =>
        {
            var space = grains.GetGrain<IAddressSpaceGrain>(n);
            await space.Configure(new AddressSpaceConfiguration(n, [.. topology.FallbackOrder(n)], rows[n], MigrationCluster.Grains.Experiments.ExperimentSpec.DefaultLocalAccessNs));
            await space.MmapAnonPopulate(perNode);
            return await space.GetPageTable();
        }));
        _pages = [.. tables.SelectMany(t => t.Select(e => e.Page))];
    }

    /// <summary>Every page to the next node; pages per second and pages migrated.</summary>
    public async Task<(double PagesPerS, long Migrated)> MigrateRoundAsync()
    {
        // Each source node's pages (their indexes in _pages) and its requests, in exactly sized
        // arrays: the bench's own allocations count in its bytes per page.
        var counts = new int[_nodes];
        foreach (var page in _pages)
        {
            counts[page.Node]++;
        }
        var bySource = new int[_nodes][];
        var requests = new MigrationRequest[_nodes][];
        for (var node = 0; node < _nodes; node++)
        {
            bySource[node] = new int[counts[node]];
            requests[node] = new MigrationRequest[counts[node]];
        }
        Array.Clear(counts);
        for (var i = 0; i < _pages.Length; i++)
        {
            var node = _pages[i].Node;
            bySource[node][counts[node]] = i;
            requests[node][counts[node]++] = new MigrationRequest(_pages[i], (node + 1) % _nodes);
        }
        var watch = Stopwatch.StartNew();
        var calls = new Task<MigrationRunResult>[_nodes];
        for (var node = 0; node < _nodes; node++)
        {
            calls[node] = requests[node].Length == 0
                ? Task.FromResult<MigrationRunResult>(null!)
                : _cluster.GrainFactory.GetGrain<IMigrationCoordinatorGrain>(node).MigratePages(requests[node], MigrateMode.Sync, MigrateReason.Syscall);
        }
        var results = await Task.WhenAll(calls);
        var elapsed = watch.Elapsed;
        long migrated = 0;
        for (var node = 0; node < _nodes; node++)
        {
            if (requests[node].Length == 0)
            {
                continue;
            }
            var result = results[node];
            for (var k = 0; k < bySource[node].Length; k++)
            {
                if (result.PageErrno[k] == 0)
                {
                    _pages[bySource[node][k]] = result.NewPages[k];
                    migrated++;
                }
            }
        }
        return (migrated / elapsed.TotalSeconds, migrated);
    }

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
