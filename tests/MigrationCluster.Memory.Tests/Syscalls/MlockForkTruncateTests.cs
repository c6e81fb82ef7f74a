using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;
using static MigrationCluster.Memory.Syscalls.MemPolicyFlags;

namespace MigrationCluster.Memory.Tests.Syscalls;

/// <summary>mlock and the unevictable LRU, fork of DMA-pinned pages, truncate of private copies: the model's own rules, below the scenarios.</summary>
public class MlockForkTruncateTests
{
    private static MemorySystem System(int frames = 8) => new(NumaTopology.Uniform(2), new MemorySystemOptions { FramesPerNode = frames });

    [Fact]
    public async Task Mlock_populates_with_write_faults_and_puts_every_page_on_the_unevictable_list()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 3);
        s.Read(a.Id, heap.Start); // the zero page: mlock's write fault replaces it
        var calls = new NumaSyscalls(s);

        Assert.Equal(0, await calls.Mlock(a.Id, heap.Start, 3, 0));

        Assert.Equal(3, s.Node(0).LruCount(LruList.Unevictable));
        Assert.Equal(0, s.Node(0).LruCount(LruList.InactiveAnon) + s.Node(0).LruCount(LruList.ActiveAnon));
        foreach (var (_, pte) in a.Ptes())
        {
            Assert.Equal(PteKind.Present, pte.Kind);
            PageFrame f = s.Node(0).Frame(pte.Page.Pfn);
            Assert.True(f.Has(PageFlags.Mlocked) && f.Has(PageFlags.Unevictable) && !f.Has(PageFlags.Active));
            Assert.Equal(1, s.Node(0).MlockCount(pte.Page.Pfn));
        }

        Assert.True(Assert.Single(a.Vmas).Locked);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task An_mlocked_page_migrates_with_its_lock_count_and_leaves_the_list_only_with_its_last_lock()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0), b = s.CreateAddressSpace(0, privileged: true);
        int file = s.CreateFile(a.Id);
        Vma fa = s.MmapShared(a.Id, file, 0, 1);
        Vma fb = s.MmapShared(b.Id, file, 0, 1);
        var calls = new NumaSyscalls(s);
        Assert.Equal(0, await calls.Mlock(a.Id, fa.Start, 1, 0));
        Assert.Equal(0, await calls.Mlock(b.Id, fb.Start, 1, 0));
        PageRef old = a.GetPte(fa.Start).Page;
        Assert.Equal(2, s.Node(0).MlockCount(old.Pfn));

        MovePagesResult moved = await calls.MovePages(b.Id, b.Id, [fb.Start], [1], MPOL_MF_MOVE_ALL);

        Assert.Equal([1], moved.Status);
        PageRef now = a.GetPte(fa.Start).Page;
        Assert.Equal(2, s.Node(1).MlockCount(now.Pfn));
        Assert.Equal(1, s.Node(1).LruCount(LruList.Unevictable));
        Assert.Equal(0, await calls.Munlock(a.Id, fa.Start, 1));
        Assert.True(s.Node(1).Frame(now.Pfn).Has(PageFlags.Mlocked));
        Assert.Equal(0, s.Munmap(b.Id, fb.Start, 1));
        Assert.False(s.Node(1).Frame(now.Pfn).Has(PageFlags.Mlocked));
        Assert.Equal(0, s.Node(1).LruCount(LruList.Unevictable));
        Assert.Equal(1, s.Node(1).LruCount(LruList.InactiveFile));
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Mlock_errors_follow_the_manual_page()
    {
        MemorySystem s = System(frames: 2);
        AddressSpaceMemory a = s.CreateAddressSpace(0, privileged: true);
        Vma heap = s.MmapAnon(a.Id, 8);
        int file = s.CreateFile(a.Id);
        Vma data = s.MmapShared(a.Id, file, 0, 2);
        var calls = new NumaSyscalls(s);

        Assert.Equal(-Errno.EINVAL, await calls.Mlock(a.Id, heap.Start, 1, 2));
        Assert.Equal(-Errno.ENOMEM, await calls.Mlock(a.Id, heap.End, 1, 0));
        // 8 pages on 4 frames: populate runs out of memory, which mlock reports as -EAGAIN; the VMA stays locked.
        Assert.Equal(-Errno.EAGAIN, await calls.Mlock(a.Id, heap.Start, 8, 0));
        Assert.True(a.FindVma(heap.Start)!.Locked);
        Assert.Equal(0, s.Munmap(a.Id, heap.Start, 8));
        // A fault past the end of a file is -EFAULT to get_user_pages, -ENOMEM to mlock.
        Assert.Equal(0, s.Truncate(file, 1).Errno);
        Assert.Equal(-Errno.ENOMEM, await calls.Mlock(a.Id, data.Start, 2, 0));
        // MLOCK_ONFAULT populates nothing.
        Vma lazy = s.MmapAnon(a.Id, 2);
        Assert.Equal(0, await calls.Mlock(a.Id, lazy.Start, 2, MlockFlags.MLOCK_ONFAULT));
        Assert.Equal(PteKind.None, a.GetPte(lazy.Start).Kind);
        Assert.True(a.FindVma(lazy.Start)!.LockOnFault);
        InvariantChecker.Check(s);
    }

    [Fact]
    public async Task Mlock_of_part_of_a_vma_splits_it_and_a_hole_is_ENOMEM_after_locking_what_comes_before()
    {
        MemorySystem s = System();
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma heap = s.MmapAnon(a.Id, 6);
        var calls = new NumaSyscalls(s);
        Assert.Equal(0, s.Munmap(a.Id, heap.Start + 4, 1));

        Assert.Equal(-Errno.ENOMEM, await calls.Mlock(a.Id, heap.Start + 1, 5, MlockFlags.MLOCK_ONFAULT));

        Assert.Equal([false, true, false], a.Vmas.Select(v => v.Locked));
        Assert.Equal([heap.Start, heap.Start + 1, heap.Start + 5], a.Vmas.Select(v => v.Start));
        Assert.Equal(heap.Start + 4, a.Vmas[1].End);
    }

    [Fact]
    public async Task Fork_copies_an_exclusive_DMA_pinned_anonymous_page_and_leaves_the_parent_writable()
    {
        MemorySystem s = System();
        AddressSpaceMemory parent = s.CreateAddressSpace(0), child = s.CreateAddressSpace(1);
        Vma heap = s.MmapAnon(parent.Id, 2);
        PageRef pinned = Harness.Touch(s, parent.Id, heap.Start, 5);
        PageRef shared = Harness.Touch(s, parent.Id, heap.Start + 1, 6);
        Assert.Equal(AccessStatus.Done, s.Pin(parent.Id, heap.Start, dma: true).Status);
        await new NumaSyscalls(s).Mlock(parent.Id, heap.Start, 2, 0);

        s.Fork(parent.Id, child.Id);

        Assert.Equal(Pte.Present(pinned, writable: true), parent.GetPte(heap.Start));
        Pte copy = child.GetPte(heap.Start);
        Assert.True(copy.Writable);
        Assert.NotEqual(pinned, copy.Page);
        Assert.Equal(0, copy.Page.Node); // allocated by the forking task, on its node
        Assert.Equal(PageContents.Make(5), s.Node(0).ReadContents(copy.Page.Pfn));
        Assert.Equal(1, s.Node(0).Frame(pinned.Pfn).Mapcount);
        // Locks are not inherited: the copy is evictable, the shared page keeps the parent's one lock.
        Assert.False(s.Node(0).Frame(copy.Page.Pfn).Has(PageFlags.Mlocked));
        Assert.All(child.Vmas, v => Assert.False(v.Locked));
        Assert.Equal(2, s.Node(0).Frame(shared.Pfn).Mapcount);
        Assert.Equal(1, s.Node(0).MlockCount(shared.Pfn));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Truncate_unmaps_and_frees_private_copies_past_the_new_end_in_every_process()
    {
        MemorySystem s = System();
        AddressSpaceMemory owner = s.CreateAddressSpace(0), other = s.CreateAddressSpace(1);
        int file = s.CreateFile(owner.Id);
        Vma mine = s.MmapFilePrivate(owner.Id, file, 0, 3);
        Vma theirs = s.MmapFilePrivate(other.Id, file, 0, 3);
        s.Write(owner.Id, mine.Start, 1);
        s.Write(owner.Id, mine.Start + 2, 2);
        s.Write(other.Id, theirs.Start + 1, 3);
        int free0 = s.Node(0).FreePages, free1 = s.Node(1).FreePages;

        Assert.Equal(AccessStatus.Done, s.Truncate(file, 1).Status);

        Assert.Equal(PteKind.Present, owner.GetPte(mine.Start).Kind);
        Assert.Equal(PteKind.None, owner.GetPte(mine.Start + 2).Kind);
        Assert.Equal(PteKind.None, other.GetPte(theirs.Start + 1).Kind);
        // Node 0 held the cache page 2 and the owner's copy of it; node 1 the cache page 1, which
        // the other process's fault placed by its task, and that process's copy of it.
        Assert.Equal(free0 + 2, s.Node(0).FreePages);
        Assert.Equal(free1 + 2, s.Node(1).FreePages);
        Assert.Equal(-Errno.SIGBUS, s.Read(other.Id, theirs.Start + 1).Errno);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void The_mlock_count_rides_in_the_migration_descriptor_and_the_frame_without_growing_either()
    {
        // MigrationPage crosses the grains by the hundred per step: the count fills padding after OldFlags.
        Assert.Equal(80, Unsafe.SizeOf<MigrationPage>());
        Assert.Equal(52, Unsafe.SizeOf<PageFrame>());
    }
}
