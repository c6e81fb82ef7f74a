using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Tests.Migration;

public class MigrationProtocolTests
{
    [Fact]
    public void Anonymous_page_moves_through_every_step_but_the_radix_tree_ones()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 4);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 42);
        var obs = new RecordingObserver();

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(0, r.ReturnValue);
        Assert.Equal(1, r.Succeeded);
        Assert.Equal([1, 2, 3, 4, 6, 8, 10, 12, 13, 14, 15, 16, 19, 20], obs.Steps.Select(x => (int)x.Step));
        PageRef moved = r.NewPages[0];
        Assert.Equal(1, moved.Node);
        Assert.Equal(Pte.Present(moved, true), a.GetPte(vma.Start));
        Assert.Equal(PageContents.Make(42), s.Node(1).ReadContents(moved.Pfn));
        PageFrame f = s.Node(1).Frame(moved.Pfn);
        Assert.Equal((1, 1), (f.Refcount, f.Mapcount));
        Assert.True(f.Has(PageFlags.Lru | PageFlags.Dirty | PageFlags.SwapBacked));
        Assert.False(f.Has(PageFlags.Locked));
        Assert.True(s.Node(0).Frame(old.Pfn).Has(PageFlags.Buddy));
        Assert.Equal(64, s.Node(0).FreePages);
        Assert.Contains($"set_migration_pte {old} as{a.Id}:{vma.Start}", obs.Events);
        Assert.Contains($"remove_migration_pte {moved} as{a.Id}:{vma.Start}", obs.Events);
        InvariantChecker.Check(s);
        Assert.True(s.SimulatedNs > 0);
    }

    [Fact]
    public void File_page_shared_by_two_processes_moves_its_cache_slot_and_both_ptes()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0), b = s.CreateAddressSpace(0);
        int file = s.CreateFile(b.Id);
        Vma va = s.MmapShared(a.Id, file, 0, 4), vb = s.MmapShared(b.Id, file, 2, 2);
        PageRef old = Harness.Touch(s, a.Id, va.Start + 2, 7);
        Assert.Equal(old, s.Read(b.Id, vb.Start).Page);
        s.Node(0).SetFlags(old.Pfn, PageFlags.Private);
        s.Node(0).GetPage(old.Pfn);
        var obs = new RecordingObserver();

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(1, r.Succeeded);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20], obs.Steps.Select(x => (int)x.Step));
        PageRef moved = r.NewPages[0];
        Assert.Equal(moved, b.Mapping(file).Lookup(2));
        Assert.Equal(moved, a.GetPte(va.Start + 2).Page);
        Assert.Equal(moved, b.GetPte(vb.Start).Page);
        PageFrame f = s.Node(1).Frame(moved.Pfn);
        Assert.Equal(2 + 1 + 1, f.Refcount);
        Assert.Equal(2, f.Mapcount);
        Assert.True(f.Has(PageFlags.Private));
        Assert.Equal(file, f.Mapping);
        Assert.Equal(2, f.Index);
        Assert.Contains(moved.Pfn, s.Node(1).WritebackQueue);
        Assert.Equal(2, obs.Events.Count(e => e.StartsWith("set_migration_pte", StringComparison.Ordinal)));
        Assert.Equal(2, obs.Events.Count(e => e.StartsWith("remove_migration_pte", StringComparison.Ordinal)));
        Assert.False(b.Mapping(file).Locked);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Batch_with_ptes_of_several_spaces_and_nodes_out_of_order_routes_each_to_its_owner()
    {
        // The rmap of the file page lists spaces 2, 0, 1 and the pages go 0->2, 0->1, 1->0: the
        // routing of steps 4 and 16 by address space and by node must regroup them.
        MemorySystem s = Harness.System(nodes: 3);
        AddressSpaceMemory a = s.CreateAddressSpace(0), b = s.CreateAddressSpace(1), c = s.CreateAddressSpace(0);
        int file = s.CreateFile(a.Id);
        Vma fc = s.MmapShared(c.Id, file, 0, 1), fa = s.MmapShared(a.Id, file, 0, 1), fb = s.MmapShared(b.Id, file, 0, 1);
        PageRef shared = Harness.Touch(s, c.Id, fc.Start, 5);
        Assert.Equal(shared, s.Read(a.Id, fa.Start).Page);
        Assert.Equal(shared, s.Read(b.Id, fb.Start).Page);
        Vma anonA = s.MmapAnon(a.Id, 1), anonB = s.MmapAnon(b.Id, 1);
        PageRef pageA = Harness.Touch(s, a.Id, anonA.Start, 6);
        PageRef pinnedB = Harness.Touch(s, b.Id, anonB.Start, 7);
        Assert.Equal((0, 0, 1), (shared.Node, pageA.Node, pinnedB.Node));
        Assert.Equal(AccessStatus.Done, s.Pin(b.Id, anonB.Start).Status);
        var obs = new RecordingObserver();

        MigrateResult r = Harness.Migrate(
            s, obs, MigrateMode.Sync, new MigrationRequest(pageA, 2), new MigrationRequest(shared, 1), new MigrationRequest(pinnedB, 0));

        Assert.Equal([0, 0, -Errno.EAGAIN], r.PageErrno);
        Assert.Equal((2, 1), (r.NewPages[0].Node, r.NewPages[1].Node));
        Assert.Equal(PageRef.None, r.NewPages[2]);
        Assert.Equal(Pte.Present(r.NewPages[0], true), a.GetPte(anonA.Start));
        Assert.Equal(Pte.Present(r.NewPages[1], true), a.GetPte(fa.Start));
        Assert.Equal(Pte.Present(r.NewPages[1], true), b.GetPte(fb.Start));
        Assert.Equal(Pte.Present(r.NewPages[1], true), c.GetPte(fc.Start));
        Assert.Equal(Pte.Present(pinnedB, true), b.GetPte(anonB.Start));
        Assert.Equal(3, s.Node(1).Frame(r.NewPages[1].Pfn).Mapcount);
        Assert.Equal(PageContents.Make(5), s.Read(b.Id, fb.Start).Contents);
        Assert.Equal(PageContents.Make(6), s.Read(a.Id, anonA.Start).Contents);
        foreach ((int space, long vpage) in new[] { (a.Id, fa.Start), (b.Id, fb.Start), (c.Id, fc.Start) })
        {
            Assert.Contains($"remove_migration_pte {r.NewPages[1]} as{space}:{vpage}", obs.Events);
        }

        Assert.Equal(
            obs.Events.Count(e => e.StartsWith("set_migration_pte", StringComparison.Ordinal)),
            obs.Events.Count(e => e.StartsWith("remove_migration_pte", StringComparison.Ordinal)));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Extra_reference_backs_out_with_EAGAIN_on_every_pass_then_fails()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 1);
        Assert.Equal(AccessStatus.Done, s.Pin(a.Id, vma.Start).Status);
        var obs = new RecordingObserver();

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(10, r.Passes);
        Assert.Equal(1, r.ReturnValue);
        Assert.Equal(-Errno.EAGAIN, r.PageErrno[0]);
        Assert.All(obs.Steps.Where(x => x.Step == MigrationStep.PageRefcountCheck), x => Assert.Equal(-Errno.EAGAIN, x.Results[0]));
        // The undo put the PTE back on the old page, and the page back on the LRU.
        Assert.Equal(Pte.Present(old, true), a.GetPte(vma.Start));
        PageFrame f = s.Node(0).Frame(old.Pfn);
        Assert.Equal((2, 1), (f.Refcount, f.Mapcount));
        Assert.True(f.Has(PageFlags.Lru));
        Assert.False(f.Has(PageFlags.Locked | PageFlags.Isolated));
        Assert.Equal(64, s.Node(1).FreePages);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Dma_pinned_anonymous_page_stays_mapped_and_is_undone()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 1);
        s.Pin(a.Id, vma.Start, dma: true);
        var obs = new RecordingObserver();

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(-Errno.EAGAIN, r.PageErrno[0]);
        Assert.All(obs.Steps.Where(x => x.Step == MigrationStep.TryToUnmap), x => Assert.Equal(-Errno.EAGAIN, x.Results[0]));
        Assert.DoesNotContain(obs.Events, e => e.StartsWith("set_migration_pte", StringComparison.Ordinal));
        Assert.Equal(Pte.Present(old, true), a.GetPte(vma.Start));
        s.Unpin(old, dma: true);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Writeback_fails_async_at_once_and_is_waited_for_by_sync_on_a_forced_pass()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        int file = s.CreateFile(a.Id);
        Vma vma = s.MmapShared(a.Id, file, 0, 2);
        PageRef p0 = Harness.Touch(s, a.Id, vma.Start, 1), p1 = Harness.Touch(s, a.Id, vma.Start + 1, 2);
        s.Node(0).SetPageWriteback(p0.Pfn);
        s.Node(0).SetPageWriteback(p1.Pfn);

        MigrateResult async = Harness.Migrate(s, null, MigrateMode.Async, new MigrationRequest(p0, 1));
        Assert.Equal(-Errno.EBUSY, async.PageErrno[0]);
        Assert.Equal(1, async.Passes);
        MigrateResult light = Harness.Migrate(s, null, MigrateMode.SyncLight, new MigrationRequest(p0, 1));
        Assert.Equal(-Errno.EBUSY, light.PageErrno[0]);

        double before = s.SimulatedNs;
        MigrateResult sync = Harness.Migrate(s, null, MigrateMode.Sync, new MigrationRequest(p1, 1));
        Assert.Equal(0, sync.PageErrno[0]);
        Assert.Equal(4, sync.Passes);
        Assert.True(s.SimulatedNs - before >= s.Cost.Options.WritebackWaitNs);
        Assert.False(s.Node(1).Frame(sync.NewPages[0].Pfn).Has(PageFlags.Writeback));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Full_target_gives_ENOMEM_and_ends_the_migration()
    {
        MemorySystem s = Harness.System(frames: 2);
        AddressSpaceMemory a = s.CreateAddressSpace(0), filler = s.CreateAddressSpace(1);
        Vma vma = s.MmapAnon(a.Id, 2), fill = s.MmapAnon(filler.Id, 2);
        Harness.Touch(s, filler.Id, fill.Start, 0);
        Harness.Touch(s, filler.Id, fill.Start + 1, 0);
        PageRef p0 = Harness.Touch(s, a.Id, vma.Start, 5), p1 = Harness.Touch(s, a.Id, vma.Start + 1, 6);

        MigrateResult r = Harness.Migrate(s, null, MigrateMode.Sync, new MigrationRequest(p0, 1), new MigrationRequest(p1, 1));

        Assert.Equal(-Errno.ENOMEM, r.ReturnValue);
        Assert.Equal([-Errno.ENOMEM, -Errno.ENOMEM], r.PageErrno);
        Assert.Equal(1, r.Passes);
        Assert.True(s.Node(0).Frame(p0.Pfn).Has(PageFlags.Lru));
        Assert.Equal(PageContents.Make(6), s.Read(a.Id, vma.Start + 1).Contents);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Async_trylock_fails_on_a_locked_page_and_the_next_pass_succeeds_after_unlock()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 3);
        Assert.True(s.Node(0).TryLockPage(old.Pfn));
        var obs = new UnlockBetweenPasses(s, old);

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Async, new MigrationRequest(old, 1));

        Assert.Equal(0, r.PageErrno[0]);
        Assert.Equal(2, r.Passes);
        Assert.Equal([-Errno.EAGAIN], obs.FirstLockResults);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Page_truncated_while_isolated_was_freed_under_us()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        int file = s.CreateFile(a.Id);
        Vma vma = s.MmapShared(a.Id, file, 0, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 3);
        Assert.True(s.Node(0).IsolateLruPage(old.Pfn));
        Assert.Equal(AccessStatus.Done, s.Truncate(file, 0).Status);
        var protocol = new MigrationProtocol(new InProcessMigrationBackend(s));

        MigrateResult r = await protocol.MigratePages([new MigrationRequest(old, 1)], MigrateMode.Sync, MigrateReason.Syscall);

        Assert.Equal(0, r.PageErrno[0]);
        Assert.True(r.NewPages[0].IsNone);
        Assert.True(s.Node(0).Frame(old.Pfn).Has(PageFlags.Buddy));
        Assert.Equal(64, s.Node(1).FreePages);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Radix_tree_check_backs_out_when_the_slot_changed_and_retries()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        int file = s.CreateFile(a.Id);
        Vma vma = s.MmapShared(a.Id, file, 0, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 9);
        var obs = new SlotSwapper(a.Mapping(file), old);

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(-Errno.EAGAIN, obs.CheckResult);
        Assert.Equal(0, r.PageErrno[0]);
        Assert.Equal(2, r.Passes);
        Assert.Equal(PageContents.Make(9), s.Read(a.Id, vma.Start).Contents);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void A_fault_on_a_migration_entry_waits_and_then_reaches_the_new_page()
    {
        MemorySystem s = Harness.System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 1);
        PageRef old = Harness.Touch(s, a.Id, vma.Start, 11);
        var obs = new FaultingObserver(s, a.Id, vma.Start);

        MigrateResult r = Harness.Migrate(s, obs, MigrateMode.Sync, new MigrationRequest(old, 1));

        Assert.Equal(AccessStatus.Wait, obs.During.Status);
        Assert.Equal(old, obs.During.Page);
        Assert.Equal([obs.During.Waiter], obs.Woken);
        Assert.Equal(AccessStatus.Done, obs.Retried.Status);
        Assert.Equal(r.NewPages[0], obs.Retried.Page);
        Assert.Equal(PageContents.Make(11), obs.Retried.Contents);
    }

    [Fact]
    public void Full_contents_mode_copies_the_bytes()
    {
        MemorySystem s = Harness.System(mode: ContentMode.Full);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma vma = s.MmapAnon(a.Id, 3);
        var requests = Enumerable.Range(0, 3).Select(i => new MigrationRequest(Harness.Touch(s, a.Id, vma.Start + i, (ulong)(100 + i)), 1)).ToArray();

        MigrateResult r = Harness.Migrate(s, null, MigrateMode.Sync, requests);

        Assert.Equal(3, r.Succeeded);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(PageContents.Make((ulong)(100 + i)), s.Node(1).ReadContents(r.NewPages[i].Pfn));
        }
    }

    private sealed class UnlockBetweenPasses(MemorySystem s, PageRef page) : MigrationObserver
    {
        public List<int> FirstLockResults { get; } = [];

        public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
        {
            if (step == MigrationStep.LockPage && FirstLockResults.Count == 0)
            {
                FirstLockResults.Add(batch[0].Result);
            }
        }

        public override void PassEnded(int pass, int retry)
        {
            if (pass == 0)
            {
                s.Node(page.Node).UnlockPage(page.Pfn, null);
            }
        }
    }

    private sealed class SlotSwapper(RadixTree tree, PageRef old) : MigrationObserver
    {
        private int _pass;

        public int CheckResult { get; private set; } = 1;

        public override void PassStarted(int pass, int pages) => _pass = pass;

        public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
        {
            if (_pass != 0)
            {
                return;
            }

            if (step == MigrationStep.PageRefcountCheck)
            {
                tree.Replace(old.Pfn, new PageRef(old.Node, old.Pfn + 1));
            }
            else if (step == MigrationStep.RadixTreeCheck)
            {
                CheckResult = batch[0].Result;
                tree.Replace(0, old);
            }
        }
    }

    private sealed class FaultingObserver(MemorySystem s, int space, long vpage) : MigrationObserver
    {
        public AccessResult During { get; private set; }

        public AccessResult Retried { get; private set; }

        public List<PageLockWaiter> Woken { get; } = [];

        public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
        {
            if (step == MigrationStep.CopyPage)
            {
                During = s.Read(space, vpage);
            }
        }

        public override void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters)
        {
            Woken.AddRange(waiters);
            Retried = s.Read(space, vpage);
        }
    }
}
