using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Syscalls;

/// <summary>munmap, exit and cpusets, and where policies place pages (what the scenario format gained with them).</summary>
public class ProcessLifetimeAndCpusetTests
{
    private static MemorySystem System(int nodes = 3) => new(NumaTopology.Uniform(nodes), new MemorySystemOptions { FramesPerNode = 8 });

    [Fact]
    public async Task Munmap_frees_private_pages_cuts_the_vma_and_move_pages_then_says_EFAULT()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 4);
        for (int i = 0; i < 3; i++)
        {
            Harness.Touch(s, a.Id, heap.Start + i, (ulong)i + 1);
        }

        s.Read(a.Id, heap.Start + 3);
        int free = s.Node(0).FreePages;

        Assert.Equal(0, s.Munmap(a.Id, heap.Start + 1, 3));

        Assert.Equal(free + 2, s.Node(0).FreePages);
        Assert.Equal(heap.Start + 1, Assert.Single(a.Vmas).End);
        MovePagesResult r = await new NumaSyscalls(s).MovePages(a.Id, a.Id, [heap.Start, heap.Start + 1, heap.Start + 3], null, 0);
        Assert.Equal([0, -Errno.EFAULT, -Errno.EFAULT], r.Status);
        Assert.Equal(-Errno.EINVAL, s.Munmap(a.Id, heap.Start, 0));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Munmap_keeps_file_pages_in_the_cache_and_offsets_of_the_part_left()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0), b = s.CreateAddressSpace(0);
        int file = s.CreateFile(a.Id);
        Vma fa = s.MmapShared(a.Id, file, 0, 4);
        Vma fb = s.MmapShared(b.Id, file, 0, 4);
        PageRef page = Harness.Touch(s, a.Id, fa.Start + 2, 9);

        s.Munmap(a.Id, fa.Start, 2);

        Vma rest = Assert.Single(a.Vmas);
        Assert.Equal(2, rest.IndexOf(fa.Start + 2));
        Assert.Equal(page, s.Read(b.Id, fb.Start + 2).Page);
        Assert.Equal(PageContents.Make(9), s.Read(a.Id, fa.Start + 2).Contents);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task An_exited_process_is_ESRCH_and_the_files_it_owns_stay()
    {
        MemorySystem s = System();
        AddressSpaceMemory owner = s.CreateAddressSpace(0), peer = s.CreateAddressSpace(0), root = s.CreateAddressSpace(0, privileged: true);
        Vma heap = s.MmapAnon(owner.Id, 2);
        int file = s.CreateFile(owner.Id);
        s.MmapShared(owner.Id, file, 0, 1);
        Vma fp = s.MmapShared(peer.Id, file, 0, 1);
        Harness.Touch(s, owner.Id, heap.Start, 1);
        Harness.Touch(s, peer.Id, fp.Start, 2);
        int free = s.Node(0).FreePages;
        var calls = new NumaSyscalls(s);

        s.Exit(owner.Id);

        Assert.True(owner.Exited);
        Assert.Empty(owner.Vmas);
        Assert.Equal(free + 1, s.Node(0).FreePages);
        Assert.Equal(-Errno.ESRCH, (await calls.MovePages(root.Id, owner.Id, [heap.Start], null, 0)).ReturnValue);
        Assert.Equal(-Errno.ESRCH, await calls.MigratePagesSyscall(root.Id, owner.Id, [0], [1]));
        Assert.Equal(-Errno.ESRCH, await calls.Mbind(owner.Id, heap.Start, 1, MemPolicyMode.Bind, [1], 0));
        Assert.Equal(-Errno.ESRCH, s.Read(owner.Id, heap.Start).Errno);
        Assert.Equal(PageContents.Make(2), s.Read(peer.Id, fp.Start).Contents);
        Assert.Equal(0, await calls.MigratePagesSyscall(peer.Id, peer.Id, [0], [1]));
        Assert.Equal(1, peer.GetPte(fp.Start).Page.Node);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void First_touches_stay_inside_the_cpuset()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        a.MemsAllowed = [2];
        Vma heap = s.MmapAnon(a.Id, 1);

        Assert.Equal(2, Harness.Touch(s, a.Id, heap.Start, 1).Node);
        Assert.Equal([2], s.CpusetMemsAllowed(a));
    }

    [Fact]
    public async Task Move_pages_outside_the_targets_cpuset_is_EACCES_after_the_pages_before_it_moved()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        a.MemsAllowed = [0, 1];
        Vma heap = s.MmapAnon(a.Id, 2);
        Harness.Touch(s, a.Id, heap.Start, 1);
        Harness.Touch(s, a.Id, heap.Start + 1, 2);

        MovePagesResult r = await new NumaSyscalls(s).MovePages(a.Id, a.Id, [heap.Start, heap.Start + 1], [1, 2], MPOL_MF_MOVE);

        Assert.Equal(-Errno.EACCES, r.ReturnValue);
        Assert.Equal([1, MovePagesResult.Unwritten], r.Status);
        Assert.Equal(0, a.GetPte(heap.Start + 1).Page.Node);
    }

    [Fact]
    public async Task Migrate_pages_checks_the_targets_cpuset_and_keeps_the_callers()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0), root = s.CreateAddressSpace(0, privileged: true);
        a.MemsAllowed = [0, 1];
        root.MemsAllowed = [0, 2];
        Vma heap = s.MmapAnon(a.Id, 1);
        Harness.Touch(s, a.Id, heap.Start, 1);
        var calls = new NumaSyscalls(s);

        Assert.Equal(-Errno.EPERM, await calls.MigratePagesSyscall(a.Id, a.Id, [0], [2]));
        // CAP_SYS_NICE passes the target's check; the caller's cpuset then leaves {2}.
        Assert.Equal(0, await calls.MigratePagesSyscall(root.Id, a.Id, [0], [1, 2]));
        Assert.Equal(2, a.GetPte(heap.Start).Page.Node);
    }

    [Fact]
    public async Task Mbind_keeps_only_the_nodes_of_the_callers_cpuset()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        a.MemsAllowed = [0, 1];
        Vma heap = s.MmapAnon(a.Id, 1);
        var calls = new NumaSyscalls(s);

        Assert.Equal(-Errno.EINVAL, await calls.Mbind(a.Id, heap.Start, 1, MemPolicyMode.Bind, [2], 0));
        Assert.Equal(0, await calls.Mbind(a.Id, heap.Start, 1, MemPolicyMode.Interleave, [1, 2], 0));
        Assert.Equal([1], a.PolicyAt(heap.Start).Nodes);
    }

    [Fact]
    public async Task Preferred_keeps_the_first_node_of_its_mask()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(1);
        Vma heap = s.MmapAnon(a.Id, 1);

        Assert.Equal(0, await new NumaSyscalls(s).Mbind(a.Id, heap.Start, 1, MemPolicyMode.Preferred, [1, 0], 0));

        // mpol_new_preferred: first_node of {0, 1} is 0, though the task runs on 1.
        Assert.Equal([0], a.PolicyAt(heap.Start).Nodes);
        Assert.Equal(0, Harness.Touch(s, a.Id, heap.Start, 1).Node);
    }

    [Fact]
    public async Task Bind_allocates_on_the_nearest_bound_node_by_the_local_nodes_zonelist()
    {
        // Node 0 runs the task; of the bound nodes {1, 2}, node 2 is nearer.
        var topology = new NumaTopology(
            [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [2], 64, 64)],
            new[,] { { 10, 30, 20 }, { 30, 10, 20 }, { 20, 20, 10 } });
        MemorySystem s = new(topology, new MemorySystemOptions { FramesPerNode = 8 });
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 1);

        Assert.Equal(0, await new NumaSyscalls(s).Mbind(a.Id, heap.Start, 1, MemPolicyMode.Bind, [1, 2], 0));

        Assert.Equal(2, Harness.Touch(s, a.Id, heap.Start, 1).Node);
    }

    [Fact]
    public async Task Mbind_over_a_hole_is_EFAULT_but_not_for_MPOL_DEFAULT()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 4);
        s.Munmap(a.Id, heap.Start + 1, 1);
        var calls = new NumaSyscalls(s);

        Assert.Equal(-Errno.EFAULT, await calls.Mbind(a.Id, heap.Start, 4, MemPolicyMode.Bind, [1], 0));
        Assert.Equal(0, await calls.Mbind(a.Id, heap.Start, 4, MemPolicyMode.Default, [], 0));
        // A range with no mapping at all is a hole even for MPOL_DEFAULT.
        Assert.Equal(-Errno.EFAULT, await calls.Mbind(a.Id, heap.Start + 1, 1, MemPolicyMode.Default, [], 0));
    }
}
