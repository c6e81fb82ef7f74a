using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Syscalls;

public class NumaSyscallsTests
{
    private readonly MemorySystem _s;
    private readonly AddressSpaceMemory _a;
    private readonly AddressSpaceMemory _b;
    private readonly Vma _anon;
    private readonly Vma _sharedA;
    private readonly NumaSyscalls _calls;

    public NumaSyscallsTests()
    {
        // Node 2 exists but has no memory.
        var topology = new NumaTopology(
            [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [2], 0, 0)],
            new[,] { { 10, 21, 21 }, { 21, 10, 21 }, { 21, 21, 10 } });
        _s = new MemorySystem(topology, new MemorySystemOptions { FramesPerNode = 32 });
        _a = _s.CreateAddressSpace(0);
        _b = _s.CreateAddressSpace(0);
        _anon = _s.MmapAnon(_a.Id, 4);
        _sharedA = _s.MmapAnon(_a.Id, 2, shared: true);
        _s.MmapShared(_b.Id, _sharedA.Mapping, 0, 2);
        _calls = new NumaSyscalls(_s);
        Harness.Touch(_s, _a.Id, _anon.Start, 1);
        Harness.Touch(_s, _a.Id, _anon.Start + 1, 2);
        Harness.Touch(_s, _a.Id, _sharedA.Start, 3);
        Assert.Equal(AccessStatus.Done, _s.Read(_b.Id, _b.Vmas[0].Start).Status);
    }

    [Fact]
    public async Task Query_reports_node_ENOENT_and_EFAULT()
    {
        MovePagesResult r = await _calls.MovePages(_a.Id, _a.Id, [_anon.Start, _anon.Start + 2, _anon.End + 1], null, 0);
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal([0, -Errno.ENOENT, -Errno.EFAULT], r.Status);
    }

    [Fact]
    public async Task Moves_pages_and_reports_their_new_node()
    {
        MovePagesResult r = await _calls.MovePages(_a.Id, _a.Id, [_anon.Start, _anon.Start + 1], [1, 1], MPOL_MF_MOVE);
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal([1, 1], r.Status);
        Assert.Equal(1, _a.GetPte(_anon.Start).Page.Node);
        Assert.Equal(PageContents.Make(2), _s.Read(_a.Id, _anon.Start + 1).Contents);
        Assert.Equal(2, _s.VmStat.PgmigrateSuccess);
        InvariantChecker.Check(_s);
    }

    [Fact]
    public async Task Page_already_on_the_target_reports_the_node_without_moving()
    {
        PageRef before = _a.GetPte(_anon.Start).Page;
        MovePagesResult r = await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [0], 0);
        Assert.Equal([0], r.Status);
        Assert.Equal(before, _a.GetPte(_anon.Start).Page);
        Assert.Equal(0, _s.VmStat.PgmigrateSuccess);
    }

    [Fact]
    public async Task Shared_page_is_EACCES_without_MOVE_ALL_and_moves_with_it_when_privileged()
    {
        MovePagesResult denied = await _calls.MovePages(_a.Id, _a.Id, [_sharedA.Start], [1], MPOL_MF_MOVE);
        Assert.Equal([-Errno.EACCES], denied.Status);

        _a.Privileged = true;
        MovePagesResult moved = await _calls.MovePages(_a.Id, _a.Id, [_sharedA.Start], [1], MPOL_MF_MOVE_ALL);
        Assert.Equal([1], moved.Status);
        Assert.Equal(1, _b.GetPte(_b.Vmas[0].Start).Page.Node);
        InvariantChecker.Check(_s);
    }

    [Fact]
    public async Task Failed_batch_counts_its_page_and_leaves_the_status_of_the_batch_unwritten()
    {
        // Since 4.17 move_pages_and_store_status stores nothing for a batch with failures:
        // both pages were one batch (same node), so neither status is written, not even the moved one's.
        _s.Pin(_a.Id, _anon.Start);
        MovePagesResult r = await _calls.MovePages(_a.Id, _a.Id, [_anon.Start, _anon.Start + 1], [1, 1], 0, [-7, -7]);
        Assert.Equal(1, r.ReturnValue);
        Assert.Equal([-7, -7], r.Status);
        Assert.Equal(0, _a.GetPte(_anon.Start).Page.Node);
        Assert.Equal(1, _a.GetPte(_anon.Start + 1).Page.Node);
        Assert.Equal(1, _s.VmStat.PgmigrateFail);
        InvariantChecker.Check(_s);
    }

    [Fact]
    public async Task Status_starts_unwritten_when_no_initial_status_is_given()
    {
        MovePagesResult r = await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [1], MPOL_MF_STRICT);
        Assert.Equal(-Errno.EINVAL, r.ReturnValue);
        Assert.Equal([MovePagesResult.Unwritten], r.Status);
    }

    [Fact]
    public async Task Call_level_errors_follow_the_manual_page()
    {
        Assert.Equal(-Errno.EINVAL, (await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [1], MPOL_MF_STRICT)).ReturnValue);
        Assert.Equal(-Errno.EPERM, (await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [1], MPOL_MF_MOVE_ALL)).ReturnValue);
        Assert.Equal(-Errno.ESRCH, (await _calls.MovePages(_a.Id, 99, [_anon.Start], [1], 0)).ReturnValue);
        Assert.Equal(-Errno.ENODEV, (await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [7], 0)).ReturnValue);
        Assert.Equal(-Errno.ENODEV, (await _calls.MovePages(_a.Id, _a.Id, [_anon.Start], [2], 0)).ReturnValue);
        Assert.Equal(0, _a.GetPte(_anon.Start).Page.Node);
    }

    [Fact]
    public async Task Migrate_pages_moves_every_private_page_between_node_sets()
    {
        int rc = await _calls.MigratePagesSyscall(_a.Id, _a.Id, [0], [1]);
        Assert.Equal(0, rc);
        Assert.Equal(1, _a.GetPte(_anon.Start).Page.Node);
        Assert.Equal(1, _a.GetPte(_anon.Start + 1).Page.Node);
        // Shared with another process: stays without CAP_SYS_NICE.
        Assert.Equal(0, _a.GetPte(_sharedA.Start).Page.Node);
        InvariantChecker.Check(_s);
    }

    [Fact]
    public async Task Migrate_pages_errors()
    {
        Assert.Equal(-Errno.EPERM, await _calls.MigratePagesSyscall(_b.Id, _a.Id, [0], [1]));
        Assert.Equal(-Errno.ESRCH, await _calls.MigratePagesSyscall(_a.Id, 42, [0], [1]));
        // get_nodes: past MAX_NUMNODES.
        Assert.Equal(-Errno.EINVAL, await _calls.MigratePagesSyscall(_a.Id, _a.Id, [0], [NumaTopology.MaxNumNodes]));
        // A node that is not online is not in the allowed set: -EPERM, not -EINVAL.
        Assert.Equal(-Errno.EPERM, await _calls.MigratePagesSyscall(_a.Id, _a.Id, [0], [9]));
        Assert.Equal(0, _a.GetPte(_anon.Start).Page.Node);
    }

    [Fact]
    public async Task Mbind_moves_misplaced_pages_and_later_faults_follow_the_policy()
    {
        int rc = await _calls.Mbind(_a.Id, _anon.Start, 4, MemPolicyMode.Bind, [1], MPOL_MF_MOVE | MPOL_MF_STRICT);
        Assert.Equal(0, rc);
        Assert.Equal(1, _a.GetPte(_anon.Start).Page.Node);
        Assert.Equal(1, Harness.Touch(_s, _a.Id, _anon.Start + 3, 4).Node);
        InvariantChecker.Check(_s);
    }

    [Fact]
    public async Task Mbind_errors()
    {
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, 2, MemPolicyMode.Default, [1], 0));
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, 2, MemPolicyMode.Interleave, [], 0));
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, 2, MemPolicyMode.Bind, [1], 64));
        Assert.Equal(-Errno.EPERM, await _calls.Mbind(_a.Id, _anon.Start, 2, MemPolicyMode.Bind, [1], MPOL_MF_MOVE_ALL));
        Assert.Equal(-Errno.EFAULT, await _calls.Mbind(_a.Id, _anon.Start, 40, MemPolicyMode.Bind, [1], 0));
        Assert.Equal(0, _a.GetPte(_anon.Start).Page.Node);
    }

    [Fact]
    public async Task Mbind_errors_come_in_the_kernels_order()
    {
        // Flags before capabilities before the range.
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, 40, MemPolicyMode.Bind, [1], 64 | MPOL_MF_MOVE_ALL));
        Assert.Equal(-Errno.EPERM, await _calls.Mbind(_a.Id, _anon.Start, 40, MemPolicyMode.Bind, [1], MPOL_MF_MOVE_ALL));
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, -1, MemPolicyMode.Bind, [1], 0));
        // A zero length returns before the policy is looked at.
        Assert.Equal(0, await _calls.Mbind(_a.Id, _anon.Start, 0, MemPolicyMode.Bind, [], 0));
        Assert.Equal(-Errno.EINVAL, await _calls.Mbind(_a.Id, _anon.Start, 1, MemPolicyMode.Bind, [NumaTopology.MaxNumNodes], 0));
    }

    [Fact]
    public async Task Mbind_strict_without_move_fails_at_a_misplaced_page_and_sets_no_policy()
    {
        Assert.Equal(-Errno.EIO, await _calls.Mbind(_a.Id, _anon.Start, 2, MemPolicyMode.Bind, [1], MPOL_MF_STRICT));
        Assert.Equal(MemPolicy.Default, _a.PolicyAt(_anon.Start));
    }
}
