using System.Diagnostics.Metrics;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Grains.Tests;

/// <summary>Tests that read the process-wide meter: alone, so no other test's migrations are measured.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeterCollection
{
    public const string Name = "the MigrationCluster meter";
}

/// <summary>
/// Each keeper of migration counters (the process whose syscall migrated, the meter, the machine
/// monitor) counts a migrate_pages() call once, by the vm events the protocol counted at the end of
/// the call: a second count anywhere (in the syscall's machine and in the coordinator, say) breaks
/// one of these equalities.
/// </summary>
[Collection(MeterCollection.Name)]
public sealed class VmStatCountedOnceTests
{
    private const int Nodes = 3;

    [Fact]
    public async Task A_migration_is_counted_once_by_each_keeper_of_counters_as_its_migrate_pages_counted_it()
    {
        var metered = new Dictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MigrationTelemetry.MeterName && instrument.Name is VmStat.PgmigrateSuccessName or VmStat.PgmigrateFailName or VmStat.NumaPagesMigratedName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (metered)
            {
                metered[instrument.Name] = metered.GetValueOrDefault(instrument.Name) + value;
            }
        });
        listener.Start();
        await using var cluster = await GrainCluster.StartAsync(Nodes, framesPerNode: 32);

        // A syscall: move_pages of four pages to two nodes (two migrate_pages calls, through the
        // process's grain and the coordinator).
        var (space, start) = await WrittenPages(cluster, pid: 0, pages: 4);
        var moved = await space.MovePages(caller: 0, [start, start + 1, start + 2, start + 3], [1, 1, 2, 2], MPOL_MF_MOVE, null);
        Assert.Equal(0, moved.ReturnValue);
        Assert.Equal([1, 1, 2, 2], moved.Status);

        // NUMA balancing on another process's three pages, one of them isolated already: it fails
        // before migrate_pages (-EBUSY), so it is a failed page of the call but no pgmigrate_fail.
        var (other, otherStart) = await WrittenPages(cluster, pid: 1, pages: 3);
        var pages = (await other.GetPageTable()).Select(e => e.Page).ToArray();
        Assert.Equal(new[] { true }, await cluster.Grains.GetGrain<INumaNodeMigrationGrain>(0).IsolateLruPages([pages[2].Pfn]));
        var balanced = await cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0)
            .MigratePages([.. pages.Select(p => new MigrationRequest(p, 1))], MigrateMode.Sync, MigrateReason.NumaMisplaced);
        Assert.Equal((2, 1, 1), (balanced.Succeeded, balanced.Failed, balanced.NotIsolated));
        Assert.Equal(new MigrationVmEvents(2, 0, 2), balanced.VmEvents);
        Assert.Equal(1, (await other.Access(otherStart, write: false, 0)).Page.Node);

        // The process counts its own syscall's migrations (and its faults), not the other call's.
        var processCounters = await space.GetVmStat();
        Assert.Equal((4L, 0L, 0L), (processCounters[VmStat.PgmigrateSuccessName], processCounters[VmStat.PgmigrateFailName], processCounters[VmStat.NumaPagesMigratedName]));
        Assert.Equal(4, processCounters[VmStat.PgfaultName]);
        Assert.Equal(0, (await other.GetVmStat())[VmStat.PgmigrateSuccessName]);

        // The meter and the monitor count every call once: 4 + 2 migrated, none failed in migrate_pages, 2 by NUMA balancing.
        var expected = new Dictionary<string, long>
        {
            [VmStat.PgmigrateSuccessName] = 6, [VmStat.PgmigrateFailName] = 0, [VmStat.NumaPagesMigratedName] = 2,
            [VmStat.ThpMigrationSuccessName] = 0, [VmStat.ThpMigrationFailName] = 0, [VmStat.ThpMigrationSplitName] = 0,
        };
        lock (metered)
        {
            Assert.Equal(6, metered[VmStat.PgmigrateSuccessName]);
            Assert.Equal(0, metered[VmStat.PgmigrateFailName]);
            Assert.Equal(2, metered[VmStat.NumaPagesMigratedName]);
        }
        var snapshot = await WaitForFinishedCalls(cluster.Grains.GetMachineMonitor(), 3);
        Assert.Equal(expected.OrderBy(e => e.Key), snapshot.VmStat.OrderBy(e => e.Key));
    }

    private static async Task<(IAddressSpaceGrain Space, long Start)> WrittenPages(GrainCluster cluster, int pid, int pages)
    {
        int[] Fallback(int node) => [node, .. Enumerable.Range(0, Nodes).Where(n => n != node)];
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(pid);
        await space.Configure(GrainCluster.Process(0, Nodes) with
        {
            AllocationOrder = Fallback(0),
            Layout = new MachineLayout([.. Enumerable.Range(0, Nodes)], [.. Enumerable.Range(0, Nodes).Select(Fallback)]),
        });
        var region = await space.MmapAnonPrivate(pages, writable: true);
        for (var i = 0; i < pages; i++)
        {
            Assert.Equal(0, (await space.Access(region.Start + i, write: true, (ulong)(10 + i))).Errno);
        }
        return (space, region.Start);
    }

    /// <summary>The monitor hears of a call one-way: its final report may land just after the call returns.</summary>
    private static async Task<MachineMonitorSnapshot> WaitForFinishedCalls(IMachineMonitorGrain monitor, int calls)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var snapshot = await monitor.GetSnapshot();
            if (snapshot.Calls.Count(c => c.Finished) >= calls || DateTime.UtcNow > deadline)
            {
                Assert.Equal(calls, snapshot.Calls.Count(c => c.Finished));
                return snapshot;
            }
            await Task.Delay(50);
        }
    }
}
