using System.Diagnostics;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Experiments.Engines;

/// <summary>
/// The in-process memory model holding the benchmark's machine: one process per node with its
/// pages there. A round moves every page to the next node through the real protocol driver,
/// costed on a described machine (null: the SLIT ring) with the given protocol.
/// </summary>
public sealed class ModelMigrationEngine
{
    private readonly MemorySystem _system;
    private readonly int _nodes;
    private readonly MigrationProtocolKind _protocol;
    private PageRef[] _pages;

    public ModelMigrationEngine(int pages, int nodes, MachineProfile? machine = null, MigrationProtocolKind protocol = MigrationProtocolKind.PerPage)
    {
        _system = Build(pages, nodes, machine, out _pages);
        _nodes = nodes;
        _protocol = protocol;
    }

    private static MemorySystem Build(int pages, int nodes, MachineProfile? machine, out PageRef[] pageRefs)
    {
        var perNode = pages / nodes;
        var system = new MemorySystem(machine is null ? SlitGenerator.Ring(nodes) : MachineTopology.Of(machine), new MemorySystemOptions { FramesPerNode = (2 * perNode) + 64, Machine = machine });
        var all = new List<PageRef>(perNode * nodes);
        for (var node = 0; node < nodes; node++)
        {
            var space = system.CreateAddressSpace(homeNode: node);
            var vma = system.MmapAnon(space.Id, perNode);
            for (var i = 0; i < perNode; i++)
            {
                all.Add(system.Write(space.Id, vma.Start + i, (ulong)(i + 1)).Page);
            }
        }
        pageRefs = [.. all];
        return system;
    }

    public int Pages => _pages.Length;

    /// <summary>The last round's simulated duration: its calls side by side, as long as the longest.</summary>
    public long LastRoundSimulatedNs { get; private set; }

    public long LastRoundTlbShootdowns { get; private set; }

    public long LastRoundTlbIpis { get; private set; }

    /// <summary>Every page to the next node, one migrate_pages per source node; pages per second.</summary>
    public async Task<(double PagesPerS, long Migrated)> MigrateRoundAsync()
    {
        // Where each page is before the round: a page moved off node k must not move again from k + 1.
        var bySource = Enumerable.Range(0, _nodes)
            .Select(n => Enumerable.Range(0, _pages.Length).Where(i => _pages[i].Node == n).ToArray())
            .ToArray();
        var watch = Stopwatch.StartNew();
        long migrated = 0;
        LastRoundSimulatedNs = 0;
        LastRoundTlbShootdowns = 0;
        LastRoundTlbIpis = 0;
        for (var node = 0; node < _nodes; node++)
        {
            var indexes = bySource[node];
            var requests = new MigrationRequest[indexes.Length];
            var source = _system.Node(node);
            for (var k = 0; k < indexes.Length; k++)
            {
                source.IsolateLruPage(_pages[indexes[k]].Pfn);
                requests[k] = new MigrationRequest(_pages[indexes[k]], (node + 1) % _nodes);
            }
            // Each call has a simulated clock of its own, from 0, as a coordinator grain's.
            var clock = new MigrationClock(_system.Cost, protocol: _protocol);
            var result = await new MigrationProtocol(new InProcessMigrationBackend(_system), clock: clock).MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall);
            LastRoundSimulatedNs = Math.Max(LastRoundSimulatedNs, clock.NowNs);
            LastRoundTlbShootdowns += clock.TlbShootdowns;
            LastRoundTlbIpis += clock.TlbIpis;
            for (var k = 0; k < indexes.Length; k++)
            {
                if (result.PageErrno[k] == 0)
                {
                    _pages[indexes[k]] = result.NewPages[k];
                    migrated++;
                }
            }
        }
        return (migrated / watch.Elapsed.TotalSeconds, migrated);
    }
}
