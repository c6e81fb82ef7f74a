using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Syscalls;

/// <summary>
/// The migration counters move once per migrate_pages() call, by the events the protocol counted at
/// its end: a second count anywhere (the syscall, the machine, an observer) breaks the equalities.
/// </summary>
public sealed class VmStatCountedOnceTests
{
    [Theory]
    [InlineData(MigrateReason.Syscall, 0)]
    [InlineData(MigrateReason.Compaction, 0)]
    [InlineData(MigrateReason.NumaMisplaced, 3)]
    public async Task The_protocol_counts_a_call_once_at_its_end_and_numa_balancing_also_as_numa_pages_migrated(MigrateReason reason, long numaPagesMigrated)
    {
        MemorySystem s = Machine();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 4);
        for (long v = 0; v < 4; v++)
        {
            Harness.Touch(s, a.Id, heap.Start + v, (ulong)v + 1);
        }
        // The fourth page has an extra reference: it backs out with -EAGAIN pass after pass and fails.
        PageRef pinned = a.GetPte(heap.Start + 3).Page;
        s.Node(pinned.Node).GetPage(pinned.Pfn);
        var pages = Enumerable.Range(0, 4).Select(i => a.GetPte(heap.Start + i).Page).ToArray();
        foreach (PageRef page in pages)
        {
            Assert.True(s.Node(page.Node).IsolateLruPage(page.Pfn));
        }

        var machine = new ModelMachine(s);
        MigrateResult result = await machine.MigratePages([.. pages.Select(p => new MigrationRequest(p, 1))], MigrateMode.Sync, reason);

        Assert.Equal((3, 1), (result.Succeeded, result.Failed));
        Assert.Equal(new MigrationVmEvents(3, 1, numaPagesMigrated), result.VmEvents);
        Assert.Equal((3, 1, numaPagesMigrated), (s.VmStat.PgmigrateSuccess, s.VmStat.PgmigrateFail, s.VmStat.NumaPagesMigrated));
    }

    [Fact]
    public async Task A_syscall_that_runs_several_migrate_pages_calls_counts_what_each_call_counted_and_nothing_else()
    {
        MemorySystem s = Machine();
        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 6);
        for (long v = 0; v < 6; v++)
        {
            Harness.Touch(s, a.Id, heap.Start + v, (ulong)v + 10);
        }
        long faults = s.VmStat.Pgfault;

        // Two target nodes: move_pages runs one migrate_pages() per run of pages with the same target.
        long[] addresses = [.. Enumerable.Range(0, 6).Select(i => heap.Start + i)];
        MovePagesResult moved = await syscalls.MovePages(a.Id, a.Id, addresses, [1, 1, 2, 2, 1, 1], MPOL_MF_MOVE);
        int rc = await syscalls.MigratePagesSyscall(a.Id, a.Id, [1, 2], [0, 0]);

        Assert.Equal(0, moved.ReturnValue);
        Assert.Equal([1, 1, 2, 2, 1, 1], moved.Status);
        Assert.Equal(0, rc);
        Assert.True(calls.Ended.Count >= 3, $"{calls.Ended.Count} migrate_pages calls");
        MigrationVmEvents counted = calls.Ended.Aggregate(default(MigrationVmEvents), (sum, r) => sum + r.VmEvents);
        Assert.Equal(new MigrationVmEvents(12, 0, 0), counted);
        Assert.Equal((counted.PgmigrateSuccess, counted.PgmigrateFail, counted.NumaPagesMigrated), (s.VmStat.PgmigrateSuccess, s.VmStat.PgmigrateFail, s.VmStat.NumaPagesMigrated));
        // Migration is not a fault.
        Assert.Equal(faults, s.VmStat.Pgfault);
    }

    private static MemorySystem Machine() => new(
        new NumaTopology(
            [new NumaNodeInfo(0, [0], 64, 64), new NumaNodeInfo(1, [1], 64, 64), new NumaNodeInfo(2, [2], 64, 64)],
            new[,] { { 10, 21, 21 }, { 21, 10, 21 }, { 21, 21, 10 } }),
        new MemorySystemOptions { FramesPerNode = 32 });
}
