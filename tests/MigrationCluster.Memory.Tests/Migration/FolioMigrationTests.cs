using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Migration;

/// <summary>Large folios (THP and mTHP) through faults, move_pages and migrate_pages(), as mm/migrate.c moves them.</summary>
public sealed class FolioMigrationTests
{
    private const int ThpOrder = 9, ThpPages = 512;

    private static (MemorySystem System, AddressSpaceMemory Space, Vma Region) Thp(int frames = 2048, int order = ThpOrder, long pages = ThpPages)
    {
        MemorySystem s = Harness.System(nodes: 2, frames: frames);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma region = s.MmapAnon(a.Id, pages, folioOrder: order);
        return (s, a, region);
    }

    [Fact]
    public void A_write_fault_in_an_aligned_region_takes_a_whole_folio_mapped_by_a_pmd()
    {
        var (s, a, region) = Thp();
        PageRef page = Harness.Touch(s, a.Id, region.Start + 7, 77);

        Assert.Equal(0, region.Start % ThpPages);
        Assert.Equal(7, page.Pfn % ThpPages);
        Assert.Equal(ThpOrder, s.Node(0).FolioOrder(page.Pfn));
        Assert.Equal(2048 - ThpPages, s.Node(0).FreePages);
        for (long v = region.Start; v < region.End; v++)
        {
            Pte pte = a.GetPte(v);
            Assert.True(pte.Kind == PteKind.Present && pte.Huge, $"{v}: {pte}");
        }

        Assert.Equal(1, s.VmStat.ThpFaultAlloc);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void A_folio_that_does_not_fit_the_region_or_finds_no_free_range_gives_base_pages()
    {
        // 600 pages: the first 512 make a THP, the tail of 88 has no aligned range and gets base pages.
        var (s, a, region) = Thp(pages: 600);
        Harness.Touch(s, a.Id, region.Start + 550, 1);
        Assert.Equal(0, s.Node(0).FolioOrder(a.GetPte(region.Start + 550).Page.Pfn));
        Assert.False(a.GetPte(region.Start + 550).Huge);

        // A node too small for a 2 MiB range: the fault falls back (thp_fault_fallback), no error.
        var (small, b, r2) = Thp(frames: 300);
        PageRef page = Harness.Touch(small, b.Id, r2.Start, 5);
        Assert.Equal(0, small.Node(page.Node).FolioOrder(page.Pfn));
        Assert.Equal(1, small.VmStat.ThpFaultFallback);
        InvariantChecker.Check(s);
        InvariantChecker.Check(small);
    }

    [Fact]
    public async Task Move_pages_moves_a_thp_whole_remapping_its_pmd_and_counts_one_thp_and_512_pages()
    {
        var (s, a, region) = Thp();
        for (long v = 0; v < ThpPages; v += 64)
        {
            Harness.Touch(s, a.Id, region.Start + v, (ulong)v + 1);
        }

        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);
        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start], [1], MPOL_MF_MOVE);

        Assert.Equal(0, r.ReturnValue);
        Assert.Equal([1], r.Status);
        Assert.Equal((512L, 0L, 1L, 0L, 0L), (s.VmStat.PgmigrateSuccess, s.VmStat.PgmigrateFail, s.VmStat.ThpMigrationSuccess, s.VmStat.ThpMigrationFail, s.VmStat.ThpMigrationSplit));
        PageRef head = a.GetPte(region.Start).Page;
        Assert.Equal(1, head.Node);
        Assert.Equal(ThpOrder, s.Node(1).FolioOrder(head.Pfn));
        for (long v = 0; v < ThpPages; v++)
        {
            Pte pte = a.GetPte(region.Start + v);
            Assert.True(pte.Kind == PteKind.Present && pte.Huge && pte.Page == new PageRef(1, head.Pfn + v), $"{v}: {pte}");
        }

        Assert.Equal(2048, s.Node(0).FreePages);
        var expected = Enumerable.Range(0, ThpPages / 64).ToDictionary(i => new LogicalPage(a.Id, 0, region.Start + (i * 64)), i => PageContents.Make((ulong)(i * 64) + 1));
        InvariantChecker.Check(s, expected: expected);
        InvariantChecker.CheckMigrationCounters([new MigrationRequest(new PageRef(0, 0), 1, ThpOrder)], calls.Ended.Single());
    }

    [Fact]
    public async Task A_thp_whose_target_has_no_free_2MiB_range_is_split_and_its_base_pages_moved()
    {
        // Node 1 has 1024 frames, one taken in each 512-frame range: 1022 free, no aligned 2 MiB range.
        var (s, a, region) = Thp(frames: 1024);
        Harness.Touch(s, a.Id, region.Start, 9);
        AddressSpaceMemory other = s.CreateAddressSpace(1);
        Vma filler = s.MmapAnon(other.Id, 1024);
        Harness.Touch(s, other.Id, filler.Start, 1);
        var holes = Enumerable.Range(1, 1023).Select(i => filler.Start + i).ToList();
        foreach (long v in holes)
        {
            Harness.Touch(s, other.Id, v, 2);
        }

        // Free all but frames 0 and 512 of node 1.
        foreach (long v in holes.Where(v => v != filler.Start + 512))
        {
            s.Munmap(other.Id, v, 1);
        }

        Assert.Equal(1022, s.Node(1).FreePages);
        Assert.False(s.Node(1).HasFreeFolio(ThpOrder));

        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);
        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start], [1], MPOL_MF_MOVE);

        MigrateResult call = calls.Ended.Single();
        Assert.Equal(0, r.ReturnValue); // every base page of the split folio moved: migrate_pages() returns 0
        Assert.Equal((512L, 0L, 0L, 1L, 1L), (s.VmStat.PgmigrateSuccess, s.VmStat.PgmigrateFail, s.VmStat.ThpMigrationSuccess, s.VmStat.ThpMigrationFail, s.VmStat.ThpMigrationSplit));
        for (long v = 0; v < ThpPages; v++)
        {
            Pte pte = a.GetPte(region.Start + v);
            Assert.True(pte.Kind == PteKind.Present && !pte.Huge && pte.Page.Node == 1 && s.Node(1).FolioOrder(pte.Page.Pfn) == 0, $"{v}: {pte}");
        }

        InvariantChecker.Check(s);
        InvariantChecker.CheckMigrationCounters([new MigrationRequest(new PageRef(0, 0), 1, ThpOrder)], call);
    }

    [Fact]
    public async Task A_numa_hinting_migration_of_a_thp_never_splits_it_and_fails_with_enomem()
    {
        var (s, a, region) = Thp(frames: 1024);
        Harness.Touch(s, a.Id, region.Start, 9);
        AddressSpaceMemory other = s.CreateAddressSpace(1);
        Vma filler = s.MmapAnon(other.Id, 513);
        for (long v = 0; v < 513; v++)
        {
            Harness.Touch(s, other.Id, filler.Start + v, 1);
        }

        // Frames 0 and 512 of node 1 stay in use: 1022 free, no 2 MiB range anywhere.
        Assert.Equal(0, s.Munmap(other.Id, filler.Start + 1, 511));
        Assert.False(s.Node(1).HasFreeFolio(ThpOrder));
        PageRef head = a.GetPte(region.Start).Page;
        Assert.True(s.Node(0).IsolateLruPage(head.Pfn));

        var machine = new ModelMachine(s);
        var request = new MigrationRequest(head, 1, ThpOrder);
        MigrateResult result = await machine.MigratePages([request], MigrateMode.Async, MigrateReason.NumaMisplaced);

        Assert.Equal(-Errno.ENOMEM, result.ReturnValue);
        Assert.Equal(new MigrationVmEvents(0, 512, 0, 0, 1, 0), result.VmEvents);
        Assert.Equal(ThpOrder, s.Node(0).FolioOrder(head.Pfn));
        Assert.True(a.GetPte(region.Start + 100).Huge);
        Assert.True(s.Node(0).Frame(head.Pfn).Has(PageFlags.Lru));
        InvariantChecker.Check(s);
        InvariantChecker.CheckMigrationCounters([request], result);
    }

    [Fact]
    public async Task Move_pages_on_a_tail_page_moves_its_whole_folio_and_a_second_page_of_it_is_busy()
    {
        var (s, a, region) = Thp();
        Harness.Touch(s, a.Id, region.Start + 300, 3);
        var syscalls = new NumaSyscalls(s);

        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start + 5, region.Start + 6], [1, 1], MPOL_MF_MOVE);

        // add_folio_for_migration: the tail's folio is isolated and queued; the second page's
        // folio is already isolated (-EBUSY), which flushes the queue: the folio moves.
        Assert.Equal(0, r.ReturnValue);
        Assert.Equal([1, -Errno.EBUSY], r.Status);
        Assert.Equal(1, a.GetPte(region.Start + 511).Page.Node);
        Assert.Equal(512, s.VmStat.PgmigrateSuccess);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Mthp_folios_of_64KiB_move_as_16_page_folios_mapped_by_ptes_and_are_not_thps()
    {
        var (s, a, region) = Thp(order: 4, pages: 64);
        for (long v = 0; v < 64; v += 16)
        {
            Harness.Touch(s, a.Id, region.Start + v, (ulong)v + 1);
        }

        Assert.All(Enumerable.Range(0, 64), v => Assert.False(a.GetPte(region.Start + v).Huge));
        Assert.Equal((4L, 0L), s.VmStat.Mthp(4));
        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);

        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start, region.Start + 16, region.Start + 32, region.Start + 48], [1, 1, 1, 1], MPOL_MF_MOVE);

        Assert.Equal(0, r.ReturnValue);
        Assert.Equal(new MigrationVmEvents(64, 0, 0, 0, 0, 0), calls.Ended.Single().VmEvents);
        Assert.All(Enumerable.Range(0, 64), v => Assert.Equal(1, a.GetPte(region.Start + v).Page.Node));
        Assert.Equal(4, s.Node(1).FolioOrder(a.GetPte(region.Start + 17).Page.Pfn));
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task A_pinned_large_folio_stays_mapped_and_fails_whole_without_a_split()
    {
        var (s, a, region) = Thp();
        Harness.Touch(s, a.Id, region.Start, 1);
        Assert.Equal(AccessStatus.Done, s.Pin(a.Id, region.Start + 200, dma: true).Status);
        var calls = new CallRecorder();
        var syscalls = new NumaSyscalls(s, calls);

        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start], [1], MPOL_MF_MOVE);

        Assert.Equal(1, r.ReturnValue);
        Assert.Equal(new MigrationVmEvents(0, 512, 0, 0, 1, 0), calls.Ended.Single().VmEvents);
        Assert.All(Enumerable.Range(0, ThpPages), v => Assert.Equal(0, a.GetPte(region.Start + v).Page.Node));
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task A_folio_mapped_by_two_processes_is_left_alone_without_move_all()
    {
        var (s, a, region) = Thp();
        Harness.Touch(s, a.Id, region.Start, 1);
        AddressSpaceMemory child = s.CreateAddressSpace(0);
        s.Fork(a.Id, child.Id);
        var syscalls = new NumaSyscalls(s);

        MovePagesResult r = await syscalls.MovePages(a.Id, a.Id, [region.Start + 9], [1], MPOL_MF_MOVE);

        Assert.Equal([-Errno.EACCES], r.Status);
        Assert.True(child.GetPte(region.Start + 9).Huge);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Munmap_of_part_of_a_thp_splits_its_pmd_and_keeps_the_rest_mapped()
    {
        var (s, a, region) = Thp();
        Harness.Touch(s, a.Id, region.Start, 1);
        Assert.Equal(0, s.Munmap(a.Id, region.Start + 256, 256));
        Assert.False(a.GetPte(region.Start).Huge);
        Assert.Equal(2048 - ThpPages, s.Node(0).FreePages);
        InvariantChecker.Check(s);
        Assert.Equal(0, s.Munmap(a.Id, region.Start, 256));
        Assert.Equal(2048, s.Node(0).FreePages);
        InvariantChecker.Check(s);
    }
}
