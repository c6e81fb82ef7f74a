using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Migration;

/// <summary>
/// Partially mapped large folios (Linux 6.12): an unmap that leaves some of a folio's pages
/// mapped puts it on the deferred-split list (__folio_remove_rmap, deferred_split_folio), and
/// migrate_pages_batch() splits such a folio before migrating it; split stats counted once.
/// </summary>
public sealed class PartiallyMappedFolioTests
{
    private const int ThpOrder = 9, ThpPages = 512, MthpOrder = 4, MthpPages = 16;

    private static readonly string ThpSplitDeferred = VmStat.MthpStatName(ThpOrder, VmStat.MthpSplitDeferredName);
    private static readonly string MthpSplitDeferred = VmStat.MthpStatName(MthpOrder, VmStat.MthpSplitDeferredName);
    private static readonly string MthpSplit = VmStat.MthpStatName(MthpOrder, VmStat.MthpSplitName);

    private static (MemorySystem System, AddressSpaceMemory Space, Vma Region, PageRef Head) Folio(int order = ThpOrder, int frames = 2048)
    {
        MemorySystem s = Harness.System(nodes: 2, frames: frames);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma region = s.MmapAnon(a.Id, 1L << order, folioOrder: order);
        PageRef head = Harness.Touch(s, a.Id, region.Start, 7);
        Assert.Equal(order, s.Node(0).FolioOrder(head.Pfn));
        return (s, a, region, head);
    }

    private static long Stat(MemorySystem s, string name) => s.VmStatSnapshot()[name];

    [Fact]
    public void Munmap_of_half_a_thp_flags_it_partially_mapped_once_and_a_whole_unmap_never_does()
    {
        var (s, a, region, head) = Folio();

        Assert.Equal(0, s.Munmap(a.Id, region.Start + 256, 256));
        Assert.True(s.Node(0).FolioPartiallyMapped(head.Pfn));
        Assert.True(s.Node(0).Frame(head.Pfn).Has(PageFlags.PartiallyMapped));
        Assert.Equal(1, Stat(s, VmStat.ThpDeferredSplitPageName));
        Assert.Equal(1, Stat(s, ThpSplitDeferred));
        InvariantChecker.Check(s);

        // Already on the list: a second partial unmap counts nothing more.
        Assert.Equal(0, s.Munmap(a.Id, region.Start + 128, 128));
        Assert.Equal(1, Stat(s, VmStat.ThpDeferredSplitPageName));

        // The last pages go: the folio is freed, and its flag with it.
        Assert.Equal(0, s.Munmap(a.Id, region.Start, 128));
        Assert.Equal(2048, s.Node(0).FreePages);
        Assert.False(s.Node(0).Frame(head.Pfn).Has(PageFlags.PartiallyMapped));
        InvariantChecker.Check(s);

        // A THP unmapped whole in one munmap is freed, never partially mapped.
        var (whole, b, r2, _) = Folio();
        Assert.Equal(0, whole.Munmap(b.Id, r2.Start, ThpPages));
        Assert.Equal(0, Stat(whole, VmStat.ThpDeferredSplitPageName));
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Fact]
    public void A_pmd_split_by_a_copy_on_write_after_fork_leaves_the_folio_whole()
    {
        var (s, a, region, head) = Folio();
        AddressSpaceMemory child = s.CreateAddressSpace(0);
        s.Fork(a.Id, child.Id);

        // The child's write splits its PMD and copies one page; the folio's page keeps the parent's mapping.
        Assert.Equal(AccessStatus.Done, s.Write(child.Id, region.Start + 3, 9).Status);

        Assert.False(child.GetPte(region.Start).Huge);
        Assert.False(s.Node(0).FolioPartiallyMapped(head.Pfn));
        Assert.Equal(0, Stat(s, VmStat.ThpDeferredSplitPageName));
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Move_pages_splits_a_partially_mapped_thp_first_and_moves_its_mapped_half_as_base_pages()
    {
        var (s, a, region, head) = Folio();
        for (long v = 0; v < 256; v += 32)
        {
            Harness.Touch(s, a.Id, region.Start + v, (ulong)v + 1);
        }

        Assert.Equal(0, s.Munmap(a.Id, region.Start + 256, 256));
        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);

        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start + 10], [1], MPOL_MF_MOVE);

        // One failure (the split THP) counted, but every page got through: migrate_pages() returns 0.
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal([1], r.Status);
        MigrateResult call = calls.Ended.Single();
        // The 256 unmapped pages are freed under us by the split: each counts as migrated (MIGRATEPAGE_SUCCESS).
        Assert.Equal(new MigrationVmEvents(512, 0, 0, 0, 1, 1), call.VmEvents);
        Assert.Equal((1L, 0L), (Stat(s, VmStat.ThpSplitPageName), Stat(s, VmStat.ThpSplitPageFailedName)));
        for (long v = 0; v < 256; v++)
        {
            Pte pte = a.GetPte(region.Start + v);
            Assert.True(pte.Kind == PteKind.Present && !pte.Huge && pte.Page.Node == 1 && s.Node(1).FolioOrder(pte.Page.Pfn) == 0, $"{v}: {pte}");
        }

        Assert.Equal(2048, s.Node(0).FreePages);
        Assert.Equal(2048 - 256, s.Node(1).FreePages);
        var expected = Enumerable.Range(0, 8).ToDictionary(i => new LogicalPage(a.Id, 0, region.Start + (i * 32)), i => PageContents.Make((ulong)(i * 32) + 1));
        InvariantChecker.Check(s, expected: expected);
        InvariantChecker.CheckMigrationCounters([new MigrationRequest(head, 1, ThpOrder)], call);
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Fact]
    public async Task A_fully_mapped_thp_is_not_split_before_migration()
    {
        var (s, a, region, _) = Folio();
        var calls = new CallRecorder();

        MovePagesResult r = await new NumaSyscalls(s, calls).MovePages(a.Id, a.Id, [region.Start], [1], MPOL_MF_MOVE);

        Assert.Equal(0, r.ReturnValue);
        Assert.Equal(new MigrationVmEvents(512, 0, 0, 1, 0, 0), calls.Ended.Single().VmEvents);
        Assert.Equal(0, Stat(s, VmStat.ThpSplitPageName));
        Assert.True(a.GetPte(region.Start).Huge);
    }

    [Fact]
    public async Task A_pinned_partially_mapped_thp_cannot_be_split_and_fails_whole_each_pass_counting_a_failed_split()
    {
        var (s, a, region, head) = Folio();
        Assert.Equal(AccessStatus.Done, s.Pin(a.Id, region.Start + 20, dma: true).Status);
        Assert.Equal(0, s.Munmap(a.Id, region.Start + 256, 256));
        var calls = new CallRecorder();

        MovePagesResult r = await new NumaSyscalls(s, calls).MovePages(a.Id, a.Id, [region.Start], [1], MPOL_MF_MOVE);

        // can_split_folio refuses (the pin), the folio goes on whole, try_to_migrate keeps the
        // pinned folio mapped (-EAGAIN): every pass tries the split again and counts its failure.
        MigrateResult call = calls.Ended.Single();
        Assert.Equal(1, r.ReturnValue);
        Assert.Equal(new MigrationVmEvents(0, 512, 0, 0, 1, 0), call.VmEvents);
        Assert.Equal((0L, (long)call.Passes), (Stat(s, VmStat.ThpSplitPageName), Stat(s, VmStat.ThpSplitPageFailedName)));
        Assert.Equal(10, call.Passes);
        Assert.Equal(ThpOrder, s.Node(0).FolioOrder(head.Pfn));
        Assert.True(s.Node(0).FolioPartiallyMapped(head.Pfn));
        Assert.All(Enumerable.Range(0, 256), v => Assert.Equal(0, a.GetPte(region.Start + v).Page.Node));
        InvariantChecker.Check(s);
        InvariantChecker.CheckMigrationCounters([new MigrationRequest(head, 1, ThpOrder)], call);
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Fact]
    public async Task A_numa_hinting_migration_splits_a_partially_mapped_folio_too()
    {
        // nosplit (MR_NUMA_MISPLACED) only keeps a folio whole after -ENOMEM; the deferred-split test comes first.
        var (s, a, region, head) = Folio();
        Assert.Equal(0, s.Munmap(a.Id, region.Start, 100));
        Assert.True(s.Node(0).IsolateLruPage(head.Pfn));
        var request = new MigrationRequest(head, 1, ThpOrder);

        MigrateResult result = await new ModelMachine(s).MigratePages([request], MigrateMode.Async, MigrateReason.NumaMisplaced);

        Assert.Equal(0, result.ReturnValue);
        Assert.Equal(new MigrationVmEvents(512, 0, 512, 0, 1, 1), result.VmEvents);
        Assert.All(Enumerable.Range(100, 412), v => Assert.Equal(1, a.GetPte(region.Start + v).Page.Node));
        InvariantChecker.Check(s);
        InvariantChecker.CheckMigrationCounters([request], result);
    }

    [Fact]
    public async Task A_partial_munmap_of_a_64KiB_mthp_counts_per_size_and_splits_it_before_move_pages()
    {
        var (s, a, region, head) = Folio(order: MthpOrder, frames: 256);
        Assert.Equal(0, s.Munmap(a.Id, region.Start + 8, 8));

        Assert.True(s.Node(0).FolioPartiallyMapped(head.Pfn));
        Assert.Equal((1L, 0L), (Stat(s, MthpSplitDeferred), Stat(s, VmStat.ThpDeferredSplitPageName)));
        Assert.Equal((0L, 0L, 1L), s.Node(0).Events.MthpSplit(MthpOrder));

        var calls = new CallRecorder();
        MovePagesResult r = await new NumaSyscalls(s, calls).MovePages(a.Id, a.Id, [region.Start + 3], [1], MPOL_MF_MOVE);

        // Not a THP: thp_migration_* stay 0; the split shows in the 64 KiB size's stats only.
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal(new MigrationVmEvents(MthpPages, 0, 0, 0, 0, 0), calls.Ended.Single().VmEvents);
        Assert.Equal((1L, 0L), (Stat(s, MthpSplit), Stat(s, VmStat.ThpSplitPageName)));
        Assert.All(Enumerable.Range(0, 8), v => Assert.Equal(1, a.GetPte(region.Start + v).Page.Node));
        Assert.Equal(256, s.Node(0).FreePages);
        InvariantChecker.Check(s);
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Fact]
    public void A_split_after_enomem_is_counted_once_in_the_split_stats_beside_thp_migration_split()
    {
        var (s, _, _, head) = Folio(frames: 1024);
        AddressSpaceMemory other = s.CreateAddressSpace(1);
        Vma filler = s.MmapAnon(other.Id, 513);
        for (long v = 0; v < 513; v++)
        {
            Harness.Touch(s, other.Id, filler.Start + v, 1);
        }

        Assert.Equal(0, s.Munmap(other.Id, filler.Start + 1, 511));

        MigrateResult result = Harness.Migrate(s, null, MigrateMode.Sync, new MigrationRequest(head, 1, ThpOrder));

        Assert.Equal(1, result.VmEvents.ThpMigrationSplit);
        Assert.Equal((1L, 0L, 1L), (Stat(s, VmStat.ThpSplitPageName), Stat(s, VmStat.ThpSplitPageFailedName), Stat(s, VmStat.MthpStatName(ThpOrder, VmStat.MthpSplitName))));
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Theory]
    [InlineData(MigrateReason.Syscall)]
    [InlineData(MigrateReason.LongtermPin)]
    public async Task A_pinned_thp_that_cannot_be_split_after_enomem_ends_the_call_unless_the_migration_is_for_a_longterm_pin(MigrateReason reason)
    {
        var (s, a, region, head) = Folio(frames: 1024);
        Assert.Equal(AccessStatus.Done, s.Pin(a.Id, region.Start + 20, dma: true).Status);
        Vma small = s.MmapAnon(a.Id, 1);
        PageRef page = Harness.Touch(s, a.Id, small.Start, 3);
        AddressSpaceMemory other = s.CreateAddressSpace(1);
        Vma filler = s.MmapAnon(other.Id, 513);
        for (long v = 0; v < 513; v++)
        {
            Harness.Touch(s, other.Id, filler.Start + v, 1);
        }

        // Frames 0 and 512 of node 1 stay in use: no free 2 MiB range, so the THP gets -ENOMEM.
        Assert.Equal(0, s.Munmap(other.Id, filler.Start + 1, 511));
        Assert.True(s.Node(0).IsolateLruPage(head.Pfn));
        Assert.True(s.Node(0).IsolateLruPage(page.Pfn));
        MigrationRequest[] requests = [new(head, 1, ThpOrder), new(page, 1)];

        MigrateResult result = await new ModelMachine(s).MigratePages(requests, MigrateMode.Sync, reason);

        if (reason == MigrateReason.LongtermPin)
        {
            // MR_LONGTERM_PIN: the failed split (-EAGAIN) is retried each pass, the call goes on;
            // the THP fails once at the end, the base page after it moves.
            Assert.Equal(1, result.ReturnValue);
            Assert.Equal([-Errno.EAGAIN, 0], result.PageErrno);
            Assert.Equal(new MigrationVmEvents(1, 512, 0, 0, 1, 0), result.VmEvents);
            Assert.Equal(result.Passes, Stat(s, VmStat.ThpSplitPageFailedName));
            Assert.Equal(1, a.GetPte(small.Start).Page.Node);
        }
        else
        {
            // Any other reason: the folio that cannot be split ends the call with -ENOMEM.
            Assert.Equal(-Errno.ENOMEM, result.ReturnValue);
            Assert.Equal(new MigrationVmEvents(0, 513, 0, 0, 1, 0), result.VmEvents);
            Assert.Equal(1, Stat(s, VmStat.ThpSplitPageFailedName));
            Assert.Equal(0, a.GetPte(small.Start).Page.Node);
        }

        Assert.Equal(ThpOrder, s.Node(0).FolioOrder(head.Pfn));
        InvariantChecker.Check(s);
        InvariantChecker.CheckMigrationCounters(requests, result);
        InvariantChecker.CheckSplitCounters(s.VmStatSnapshot());
    }

    [Fact]
    public void The_checker_refuses_a_partially_mapped_flag_on_a_fully_mapped_folio_and_a_split_counted_twice()
    {
        var (s, _, _, head) = Folio();
        s.Node(0).SetFlags(head.Pfn, PageFlags.PartiallyMapped);
        var flagged = Assert.Throws<InvariantViolationException>(() => InvariantChecker.Check(s));
        Assert.Contains("all its 512 pages are mapped", flagged.Message, StringComparison.Ordinal);

        var twice = new Dictionary<string, long>
        {
            [VmStat.ThpSplitPageName] = 2,
            [VmStat.MthpStatName(ThpOrder, VmStat.MthpSplitName)] = 1,
        };
        Assert.Throws<InvariantViolationException>(() => InvariantChecker.CheckSplitCounters(twice));
        var unmade = new Dictionary<string, long> { [VmStat.ThpMigrationSplitName] = 1 };
        Assert.Throws<InvariantViolationException>(() => InvariantChecker.CheckSplitCounters(unmade));
    }
}
