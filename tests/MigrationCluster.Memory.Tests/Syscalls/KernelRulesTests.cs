using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Syscalls;

/// <summary>
/// The eleven rules a check against LTP (move_pages, migrate_pages, mbind), the manual pages and
/// mm/migrate.c, mm/mempolicy.c and mm/memory.c found the model breaking; one test per rule,
/// named by its number in the issue.
/// </summary>
public class KernelRulesTests
{
    /// <summary>
    /// Nodes 0, 1 and 3 have CPUs and memory; node 2 has CPUs and no memory and sees every other
    /// node at distance 20 (examples/topologies/numactl-4node-cpu-only-node2.txt).
    /// </summary>
    internal static NumaTopology CpuOnlyNode2() => new(
        [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [2], 0, 0), new NumaNodeInfo(3, [3], 64, 64)],
        new[,] { { 10, 16, 20, 16 }, { 16, 10, 20, 16 }, { 20, 20, 10, 20 }, { 16, 16, 20, 10 } });

    private static MemorySystem System(NumaTopology topology) => new(topology, new MemorySystemOptions { FramesPerNode = 16 });

    private static (MemorySystem S, NumaSyscalls Calls, AddressSpaceMemory App, Vma Heap) World(NumaTopology topology, long pages = 4, int home = 0)
    {
        MemorySystem s = System(topology);
        AddressSpaceMemory app = s.CreateAddressSpace(home);
        Vma heap = s.MmapAnon(app.Id, pages);
        return (s, new NumaSyscalls(s), app, heap);
    }

    private static PageRef WriteOn(MemorySystem s, AddressSpaceMemory space, long vpage, int node, ulong value)
    {
        int home = space.HomeNode;
        space.HomeNode = node;
        PageRef page = Harness.Touch(s, space.Id, vpage, value);
        space.HomeNode = home;
        Assert.Equal(node, page.Node);
        return page;
    }

    [Fact]
    public async Task Rule01_a_read_fault_maps_the_zero_page_which_move_pages_reports_as_EFAULT()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(2));
        int free = s.Node(0).FreePages;

        AccessResult read = s.Read(app.Id, heap.Start);

        // do_anonymous_page: no frame for a read fault, the zero page read-only instead.
        Assert.Equal(AccessStatus.Done, read.Status);
        Assert.True(read.Page.IsNone);
        Assert.Equal(PageContents.Zero, read.Contents);
        Assert.Equal(Pte.ZeroPage, app.GetPte(heap.Start));
        Assert.Equal(free, s.Node(0).FreePages);
        Assert.Equal(1, s.VmStat.Pgfault);

        MovePagesResult query = await calls.MovePages(app.Id, app.Id, [heap.Start, heap.Start + 1], null, 0);
        Assert.Equal([-Errno.EFAULT, -Errno.ENOENT], query.Status);
        MovePagesResult move = await calls.MovePages(app.Id, app.Id, [heap.Start], [1], MPOL_MF_MOVE);
        Assert.Equal(0, move.ReturnValue);
        Assert.Equal([-Errno.EFAULT], move.Status);
        Assert.Equal(0, s.VmStat.PgmigrateSuccess + s.VmStat.PgmigrateFail);

        // do_wp_page: the first write copies the zero page into a new frame of the writer's node.
        PageRef written = Harness.Touch(s, app.Id, heap.Start, 4);
        Assert.Equal(0, written.Node);
        Assert.Equal(free - 1, s.Node(0).FreePages);
        Assert.Equal([0], (await calls.MovePages(app.Id, app.Id, [heap.Start], null, 0)).Status);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Rule01_a_read_only_pin_of_the_zero_page_takes_no_reference()
    {
        var (s, _, app, heap) = World(NumaTopology.Uniform(2));

        AccessResult pin = s.Pin(app.Id, heap.Start, dma: true);
        s.Unpin(pin.Page, dma: true);

        Assert.Equal(AccessStatus.Done, pin.Status);
        Assert.True(pin.Page.IsNone);
        Assert.Equal(Pte.ZeroPage, app.GetPte(heap.Start));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Rule01_the_checker_refuses_contents_expected_of_a_zero_page()
    {
        var (s, _, app, heap) = World(NumaTopology.Uniform(2));
        s.Read(app.Id, heap.Start);
        var expected = new Dictionary<LogicalPage, ulong> { [new LogicalPage(app.Id, 0, heap.Start)] = PageContents.Make(3) };

        var e = Assert.Throws<InvariantViolationException>(() => InvariantChecker.Check(s, null, expected));
        Assert.Contains("zero page", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rule02_ENODEV_fails_the_call_after_migrating_the_pages_queued_before_it()
    {
        var (s, calls, app, heap) = World(CpuOnlyNode2());
        Harness.Touch(s, app.Id, heap.Start, 1);
        Harness.Touch(s, app.Id, heap.Start + 1, 2);

        MovePagesResult r = await calls.MovePages(app.Id, app.Id, [heap.Start, heap.Start + 1], [1, 2], MPOL_MF_MOVE);

        Assert.Equal(-Errno.ENODEV, r.ReturnValue);
        Assert.Equal([1, MovePagesResult.Unwritten], r.Status);
        Assert.Equal(1, app.GetPte(heap.Start).Page.Node);
        Assert.Equal(0, app.GetPte(heap.Start + 1).Page.Node);
        Assert.Equal(1, s.VmStat.PgmigrateSuccess);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Rule03_a_batch_with_a_failure_ends_the_call_and_counts_the_pages_not_attempted()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(3));
        Harness.Touch(s, app.Id, heap.Start, 1);
        Harness.Touch(s, app.Id, heap.Start + 1, 2);
        s.Pin(app.Id, heap.Start);

        MovePagesResult r = await calls.MovePages(app.Id, app.Id, [heap.Start, heap.Start + 1], [1, 2], MPOL_MF_MOVE);

        // p0 failed (1), p1 was never attempted (+1).
        Assert.Equal(2, r.ReturnValue);
        Assert.Equal([MovePagesResult.Unwritten, MovePagesResult.Unwritten], r.Status);
        Assert.Equal(0, app.GetPte(heap.Start + 1).Page.Node);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Rule03_a_page_that_is_not_queued_flushes_the_batch_and_is_not_counted_again()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(3));
        Harness.Touch(s, app.Id, heap.Start, 1);
        s.Pin(app.Id, heap.Start);

        // p0 queued for 1; heap+2 is not present (-ENOENT): the batch [p0] is migrated there and
        // fails: 1 failed + 2 not attempted (pages 1 and 2) - 1 for page 1, whose status is stored.
        MovePagesResult r = await calls.MovePages(app.Id, app.Id, [heap.Start, heap.Start + 2, heap.Start + 3], [1, 1, 1], MPOL_MF_MOVE);

        Assert.Equal(2, r.ReturnValue);
        Assert.Equal([MovePagesResult.Unwritten, -Errno.ENOENT, MovePagesResult.Unwritten], r.Status);
    }

    [Fact]
    public async Task Rule04_move_pages_on_another_process_needs_CAP_SYS_NICE_in_query_mode_too()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(2));
        AddressSpaceMemory other = s.CreateAddressSpace(0);
        AddressSpaceMemory admin = s.CreateAddressSpace(0, privileged: true);
        Harness.Touch(s, app.Id, heap.Start, 1);

        MovePagesResult query = await calls.MovePages(other.Id, app.Id, [heap.Start], null, 0);
        MovePagesResult move = await calls.MovePages(other.Id, app.Id, [heap.Start], [1], MPOL_MF_MOVE);
        MovePagesResult allowed = await calls.MovePages(admin.Id, app.Id, [heap.Start], [1], MPOL_MF_MOVE);

        Assert.Equal(-Errno.EPERM, query.ReturnValue);
        Assert.Equal([MovePagesResult.Unwritten], query.Status);
        Assert.Equal(-Errno.EPERM, move.ReturnValue);
        Assert.Equal(0, allowed.ReturnValue);
        Assert.Equal([1], allowed.Status);
    }

    [Fact]
    public async Task Rule05_migrate_pages_to_nodes_outside_the_allowed_memory_nodes_is_EPERM_before_masking()
    {
        var (s, calls, app, heap) = World(CpuOnlyNode2());
        AddressSpaceMemory root = s.CreateAddressSpace(0, privileged: true);
        Harness.Touch(s, app.Id, heap.Start, 1);

        Assert.Equal(-Errno.EPERM, await calls.MigratePagesSyscall(app.Id, app.Id, [0], [2]));
        Assert.Equal(-Errno.EPERM, await calls.MigratePagesSyscall(app.Id, app.Id, [0], [1, 2]));
        Assert.Equal(0, app.GetPte(heap.Start).Page.Node);

        // CAP_SYS_NICE skips the subset check; the memoryless node is then masked off.
        Assert.Equal(-Errno.EINVAL, await calls.MigratePagesSyscall(root.Id, app.Id, [0], [2]));
        Assert.Equal(0, await calls.MigratePagesSyscall(root.Id, app.Id, [0], [1, 2]));
        Assert.Equal(1, app.GetPte(heap.Start).Page.Node);
    }

    [Fact]
    public async Task Rule06_migrate_pages_moves_each_page_once()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(6));
        for (int i = 0; i < 3; i++)
        {
            WriteOn(s, app, heap.Start + i, 2 + i, (ulong)i);
        }

        int rc = await calls.MigratePagesSyscall(app.Id, app.Id, [2, 3, 4], [3, 4, 5]);

        Assert.Equal(0, rc);
        Assert.Equal([3, 4, 5], Enumerable.Range(0, 3).Select(i => app.GetPte(heap.Start + i).Page.Node));
        // One migration per page: 4 -> 5, then 3 -> 4, then 2 -> 3.
        Assert.Equal(3, s.VmStat.PgmigrateSuccess);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Rule07_with_node_sets_of_different_sizes_a_source_in_the_new_set_stays_and_the_others_remap()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(4));
        WriteOn(s, app, heap.Start, 1, 1);
        WriteOn(s, app, heap.Start + 1, 2, 2);

        int rc = await calls.MigratePagesSyscall(app.Id, app.Id, [1, 2], [0, 1, 3]);

        Assert.Equal(0, rc);
        Assert.Equal(1, app.GetPte(heap.Start).Page.Node);
        Assert.Equal(1, app.GetPte(heap.Start + 1).Page.Node);
        Assert.Equal(1, s.VmStat.PgmigrateSuccess);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, new[] { 3, 4, 5 }, new[] { 0, 1, 2, 6, 7 })]
    [InlineData(new[] { 0, 1 }, new[] { 1, 2 }, new[] { 0, 1 })]
    [InlineData(new[] { 0, 1 }, new[] { 1, 0 }, new int[0])]
    [InlineData(new[] { 0 }, new[] { 0 }, new int[0])]
    public async Task Rule07_which_source_nodes_move(int[] from, int[] to, int[] moved)
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(8), pages: 8);
        for (int i = 0; i < 8; i++)
        {
            WriteOn(s, app, heap.Start + i, i, (ulong)i);
        }

        Assert.Equal(0, await calls.MigratePagesSyscall(app.Id, app.Id, from, to));

        int[] nowMoved = [.. Enumerable.Range(0, 8).Where(i => app.GetPte(heap.Start + i).Page.Node != i)];
        Assert.Equal(moved, nowMoved);
        // Node sets are sets: [0,1] -> [1,0] maps 0 to 0 and 1 to 1, and moves nothing.
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Rule08_mbind_move_strict_skips_a_shared_page_without_failing()
    {
        var (s, calls, app, _) = World(NumaTopology.Uniform(2));
        AddressSpaceMemory other = s.CreateAddressSpace(0);
        Vma shm = s.MmapAnon(app.Id, 2, shared: true);
        Vma otherShm = s.MmapShared(other.Id, shm.Mapping, 0, 2);
        Harness.Touch(s, app.Id, shm.Start, 1);
        s.Read(other.Id, otherShm.Start);
        Harness.Touch(s, app.Id, shm.Start + 1, 2);

        int rc = await calls.Mbind(app.Id, shm.Start, 2, MemPolicyMode.Bind, [1], MPOL_MF_MOVE | MPOL_MF_STRICT);

        Assert.Equal(0, rc);
        Assert.Equal(0, app.GetPte(shm.Start).Page.Node);
        Assert.Equal(1, app.GetPte(shm.Start + 1).Page.Node);
        InvariantChecker.Check(s);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(MPOL_MF_MOVE)]
    [InlineData(MPOL_MF_MOVE | MPOL_MF_STRICT)]
    public async Task Rule09_mbind_to_memoryless_nodes_only_is_EINVAL(int flags)
    {
        var (s, calls, app, heap) = World(CpuOnlyNode2());
        Harness.Touch(s, app.Id, heap.Start, 1);

        foreach (MemPolicyMode mode in new[] { MemPolicyMode.Bind, MemPolicyMode.Interleave, MemPolicyMode.Preferred })
        {
            Assert.Equal(-Errno.EINVAL, await calls.Mbind(app.Id, heap.Start, 2, mode, [2], flags));
        }

        Assert.Equal(MemPolicy.Default, app.PolicyAt(heap.Start));
        Assert.Equal(0, app.GetPte(heap.Start).Page.Node);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Rule09_a_memoryless_node_is_dropped_from_a_mask_that_has_others()
    {
        var (s, calls, app, heap) = World(CpuOnlyNode2());
        Harness.Touch(s, app.Id, heap.Start, 1);

        Assert.Equal(0, await calls.Mbind(app.Id, heap.Start, 2, MemPolicyMode.Bind, [2, 3], MPOL_MF_MOVE));

        Assert.Equal(new MemPolicy(MemPolicyMode.Bind, [3]), app.PolicyAt(heap.Start), new PolicyComparer());
        Assert.Equal(3, app.GetPte(heap.Start).Page.Node);
    }

    [Fact]
    public async Task Rule10_mbind_default_with_move_migrates_every_page_of_the_range_to_the_local_node()
    {
        var (s, calls, app, heap) = World(NumaTopology.Uniform(2), pages: 3);
        WriteOn(s, app, heap.Start, 1, 1);
        WriteOn(s, app, heap.Start + 1, 1, 2);
        PageRef local = WriteOn(s, app, heap.Start + 2, 0, 3);
        Assert.Equal(0, await calls.Mbind(app.Id, heap.Start, 3, MemPolicyMode.Bind, [1], 0));

        int rc = await calls.Mbind(app.Id, heap.Start, 3, MemPolicyMode.Default, [], MPOL_MF_MOVE | MPOL_MF_STRICT);

        Assert.Equal(0, rc);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(0, app.GetPte(heap.Start + i).Page.Node));
        // The empty mask queues every page, the one already local too: it gets a new frame there.
        Assert.NotEqual(local, app.GetPte(heap.Start + 2).Page);
        Assert.Equal(3, s.VmStat.PgmigrateSuccess);
        Assert.Equal(MemPolicy.Default, app.PolicyAt(heap.Start));
        Assert.Equal(PageContents.Make(2), s.Read(app.Id, heap.Start + 1).Contents);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Rule11_first_touch_on_a_cpu_only_node_follows_find_next_best_node()
    {
        var (s, _, app, heap) = World(CpuOnlyNode2(), home: 2);

        PageRef page = Harness.Touch(s, app.Id, heap.Start, 1);

        Assert.Equal(3, page.Node);
        Assert.Equal([3, 0, 1], s.Topology.FallbackOrder(2));
    }

    [Fact]
    public void Rule11_a_full_node_falls_back_by_the_zonelist()
    {
        // Uniform 4 nodes: node 1's list is 1, 2, 3, 0 (the next node first, then round-robin).
        MemorySystem s = new(NumaTopology.Uniform(4), new MemorySystemOptions { FramesPerNode = 1 });
        AddressSpaceMemory app = s.CreateAddressSpace(1);
        Vma heap = s.MmapAnon(app.Id, 4);

        int[] nodes = [.. Enumerable.Range(0, 4).Select(i => Harness.Touch(s, app.Id, heap.Start + i, 1).Node)];

        Assert.Equal([1, 2, 3, 0], nodes);
    }

    private sealed class PolicyComparer : IEqualityComparer<MemPolicy>
    {
        public bool Equals(MemPolicy? x, MemPolicy? y) => x is not null && y is not null && x.Mode == y.Mode && x.Nodes.SequenceEqual(y.Nodes);

        public int GetHashCode(MemPolicy obj) => obj.Mode.GetHashCode();
    }
}
