using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Invariants;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Syscalls;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Grains.Tests;

/// <summary>move_pages, migrate_pages and mbind through the address space grain, the syscalls' front end, on a real silo.</summary>
public sealed class GrainSyscallsTests
{
    private const int Nodes = 3;
    private const int Frames = 32;

    /// <summary>A process on <paramref name="home"/> of a three-node machine (nearest first: itself, then by id), with the layout the syscalls need.</summary>
    private static AddressSpaceConfiguration Process(int home, bool privileged = false, int[]? cpuset = null)
    {
        int[] Fallback(int node) => [node, .. Enumerable.Range(0, Nodes).Where(n => n != node)];
        return GrainCluster.Process(home, Nodes) with
        {
            AllocationOrder = Fallback(home),
            Privileged = privileged,
            MemsAllowed = cpuset,
            Layout = new MachineLayout([.. Enumerable.Range(0, Nodes)], [.. Enumerable.Range(0, Nodes).Select(Fallback)]),
        };
    }

    private static async Task<(IAddressSpaceGrain Space, long Start)> WrittenPages(GrainCluster cluster, int pid, AddressSpaceConfiguration configuration, int pages)
    {
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(pid);
        await space.Configure(configuration);
        var region = await space.MmapAnonPrivate(pages, writable: true);
        for (var i = 0; i < pages; i++)
        {
            Assert.Equal(0, (await space.Access(region.Start + i, write: true, (ulong)(100 + i))).Errno);
        }
        return (space, region.Start);
    }

    private static async Task AssertInvariants(GrainCluster cluster, params int[] spaces) =>
        InvariantChecker.Check(await GrainMachineView.SnapshotAsync(cluster.Grains, Enumerable.Range(0, Nodes), spaces));

    [Fact]
    public async Task Move_pages_moves_queries_and_refuses_other_processes_without_the_capability()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var (space, start) = await WrittenPages(cluster, 0, Process(home: 0), 3);
        var stranger = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await stranger.Configure(Process(home: 1));

        var moved = await space.MovePages(caller: 0, [start, start + 1, start + 2], [1, 2, 1], MPOL_MF_MOVE, null);
        var query = await space.MovePages(caller: 0, [start, start + 1, start + 2, 0], null, 0, null);
        var refused = await space.MovePages(caller: 1, [start], [2], MPOL_MF_MOVE, [-1]);

        Assert.Equal(0, moved.ReturnValue);
        Assert.Equal([1, 2, 1], moved.Status);
        Assert.Equal(new[] { 1, 2, 1, -Errno.EFAULT }, query.Status);
        Assert.Equal(-Errno.EPERM, refused.ReturnValue);
        Assert.Equal([-1], refused.Status);
        var read = await space.Access(start + 1, write: false, 0);
        Assert.Equal((2, 101UL), (read.Page.Node, read.Value));
        Assert.Equal(3, (await space.GetVmStat())[VmStat.PgmigrateSuccessName]);
        await AssertInvariants(cluster, 0, 1);
    }

    [Fact]
    public async Task A_partially_mapped_mthp_is_flagged_by_munmap_and_split_before_move_pages_with_its_stats_on_the_node()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(0);
        await space.Configure(Process(home: 0));
        var region = await space.MmapAnonPrivate(16, writable: true, folioOrder: 4);
        Assert.Equal(0, (await space.Access(region.Start, write: true, 5)).Errno);
        var node0 = cluster.Grains.GetGrain<INumaNodeInspectionGrain>(0);
        string deferred = VmStat.MthpStatName(4, VmStat.MthpSplitDeferredName), split = VmStat.MthpStatName(4, VmStat.MthpSplitName);

        Assert.Equal(0, await space.Munmap(region.Start + 8, 8));
        var afterMunmap = await node0.GetVmStat();
        Assert.Equal((1L, 0L), (afterMunmap[deferred], afterMunmap[split]));
        await AssertInvariants(cluster, 0);

        var moved = await space.MovePages(caller: 0, [region.Start + 2], [1], MPOL_MF_MOVE, null);

        // Split first (one failure, not a THP), the 8 mapped pages moved, the 8 unmapped freed by the split: 16 counted as migrated.
        Assert.Equal(0, moved.ReturnValue);
        Assert.Equal([1], moved.Status);
        Assert.Equal(1, (await node0.GetVmStat())[split]);
        var events = await space.GetVmStat();
        Assert.Equal((16L, 0L, 0L), (events[VmStat.PgmigrateSuccessName], events[VmStat.PgmigrateFailName], events[VmStat.ThpMigrationSplitName]));
        for (var v = 0; v < 8; v++)
        {
            Assert.Equal(1, (await space.Access(region.Start + v, write: false, 0)).Page.Node);
        }
        Assert.Equal(Frames, (await node0.GetStatus()).FreePages);
        await AssertInvariants(cluster, 0);
    }

    [Fact]
    public async Task A_thp_fault_no_node_has_a_2MiB_range_for_falls_back_to_the_64KiB_order_on_the_grains()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(0);
        await space.Configure(Process(home: 0));
        var region = await space.MmapAnonPrivate(512, writable: true, folioOrder: 9, fallbackOrders: 1 << 4);
        Assert.Equal(1 << 4, region.FallbackOrders);

        var fault = await space.Access(region.Start + 37, write: true, 3);

        Assert.Equal(0, fault.Errno);
        var events = await space.GetVmStat();
        Assert.Equal(
            (1L, 1L, 1L, 0L),
            (events[VmStat.ThpFaultFallbackName], events[VmStat.MthpStatName(9, VmStat.MthpAnonFaultFallbackName)], events[VmStat.MthpStatName(4, VmStat.MthpAnonFaultAllocName)], events[VmStat.MthpStatName(4, VmStat.MthpAnonFaultFallbackName)]));
        // Pages 32..47 came as one 16-page folio on the home node; the rest of the region is untouched.
        Assert.Equal(Frames - 16, (await cluster.Grains.GetGrain<INumaNodeInspectionGrain>(0).GetStatus()).FreePages);
        Assert.Equal((0, 3UL), ((await space.Access(region.Start + 37, write: false, 0)).Page.Node, (await space.Access(region.Start + 37, write: false, 0)).Value));
        await AssertInvariants(cluster, 0);
    }

    [Fact]
    public async Task The_zero_page_of_a_read_fault_has_no_frame_and_move_pages_on_it_is_EFAULT()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(0);
        await space.Configure(Process(home: 0));
        var region = await space.MmapAnonPrivate(1, writable: true);

        var read = await space.Access(region.Start, write: false, 0);
        var moved = await space.MovePages(caller: 0, [region.Start], [1], MPOL_MF_MOVE, null);

        Assert.True(read.Page.IsNone);
        Assert.Equal(0UL, read.Value);
        Assert.Equal(PteKind.ZeroPage, Assert.Single(await space.GetPageTable()).Kind);
        Assert.Equal(Frames, (await cluster.Grains.GetGrain<INumaNodeGrain>(0).GetStatus()).FreePages);
        Assert.Equal(0, moved.ReturnValue);
        Assert.Equal([-Errno.EFAULT], moved.Status);
        await AssertInvariants(cluster, 0);

        // A write to it is a write-protect fault: now the page has a frame of its own.
        var write = await space.Access(region.Start, write: true, 9);
        Assert.Equal(0, write.Page.Node);
        Assert.Equal(Frames - 1, (await cluster.Grains.GetGrain<INumaNodeGrain>(0).GetStatus()).FreePages);
    }

    [Fact]
    public async Task Migrate_pages_moves_a_process_between_node_sets_and_checks_the_target()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var (space, start) = await WrittenPages(cluster, 0, Process(home: 0), 4);
        var admin = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await admin.Configure(Process(home: 1, privileged: true));
        var gone = cluster.Grains.GetGrain<IAddressSpaceGrain>(2);
        await gone.Configure(Process(home: 0));
        await gone.Exit();

        Assert.Equal(0, await space.MigratePages(caller: 1, [0], [2]));
        Assert.Equal(-Errno.ESRCH, await gone.MigratePages(caller: 1, [0], [2]));
        Assert.Equal(-Errno.EINVAL, await space.MigratePages(caller: 0, [0], [Memory.Topology.NumaTopology.MaxNumNodes]));

        Assert.All(await space.GetPageTable(), e => Assert.Equal(2, e.Page.Node));
        Assert.Equal(Frames - 4, (await cluster.Grains.GetGrain<INumaNodeGrain>(2).GetStatus()).FreePages);
        Assert.Equal(102UL, (await space.Access(start + 2, write: false, 0)).Value);
        await AssertInvariants(cluster, 0, 1, 2);
    }

    [Fact]
    public async Task Mbind_sets_the_policy_moves_misplaced_pages_and_later_faults_follow_it()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var (space, start) = await WrittenPages(cluster, 0, Process(home: 0), 4);

        Assert.Equal(0, await space.Mbind(start, 2, MemPolicyMode.Bind, [1], MPOL_MF_MOVE | MPOL_MF_STRICT));
        Assert.Equal(-Errno.EPERM, await space.Mbind(start, 2, MemPolicyMode.Bind, [1], MPOL_MF_MOVE_ALL));
        Assert.Equal(-Errno.EFAULT, await space.Mbind(start + 2, 8, MemPolicyMode.Bind, [2], 0));

        var table = (await space.GetPageTable()).OrderBy(e => e.VirtualPage).Select(e => e.Page.Node).ToArray();
        Assert.Equal([1, 1, 0, 0], table);
        // A policy set before the first touch places the faults (alloc_pages_mpol), wherever the task runs.
        var fresh = await space.MmapAnonPrivate(2, writable: true);
        Assert.Equal(0, await space.Mbind(fresh.Start, 2, MemPolicyMode.Bind, [2], 0));
        Assert.Equal(2, (await space.Access(fresh.Start + 1, write: true, 5)).Page.Node);
        await AssertInvariants(cluster, 0);
    }

    [Fact]
    public async Task Mlock_through_the_grain_locks_the_vma_puts_its_pages_on_the_unevictable_list_and_they_still_migrate()
    {
        await using var cluster = await GrainCluster.StartAsync(Nodes, Frames);
        var (space, start) = await WrittenPages(cluster, 0, Process(home: 0), 2);
        var node0 = cluster.Grains.GetGrain<INumaNodeGrain>(0);
        var node1 = cluster.Grains.GetGrain<INumaNodeGrain>(1);

        Assert.Equal(0, await space.Mlock(start, 2, 0));
        Assert.Equal(2, (await node0.GetStatus()).UnevictablePages);
        Assert.True(Assert.Single(await space.GetRegions()).Locked);

        var moved = await space.MovePages(caller: 0, [start], [1], MPOL_MF_MOVE, null);

        Assert.Equal([1], moved.Status);
        Assert.Equal(1, (await node0.GetStatus()).UnevictablePages);
        Assert.Equal(1, (await node1.GetStatus()).UnevictablePages);
        Assert.Equal(0, await space.Munlock(start, 1));
        Assert.Equal(0, (await node1.GetStatus()).UnevictablePages);
        Assert.Equal([false, true], (await space.GetRegions()).Select(r => r.Locked));
        Assert.Equal(-Errno.EINVAL, await space.Mlock(start, 1, 4));
        await AssertInvariants(cluster, 0);
    }
}
