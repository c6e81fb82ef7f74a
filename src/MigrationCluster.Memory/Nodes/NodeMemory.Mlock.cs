using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- mlock ------------------------------------------------------------------------------
    // mm/mlock.c: a page mapped by a VM_LOCKED VMA is PG_mlocked and lives on the unevictable
    // LRU; folio->mlock_count counts the VM_LOCKED mappings that hold it, so it leaves that list
    // only when the last of them lets go. The kernel's count may fall short after the page was
    // off the LRU (vmscan repairs it later); here it is kept exact.

    private readonly Dictionary<long, int> _mlockCount = [];

    /// <summary>folio->mlock_count: how many VM_LOCKED mappings hold the page mlocked.</summary>
    public int MlockCount(long pfn) => _mlockCount.GetValueOrDefault(pfn);

    /// <summary>
    /// mlock_folio (mlock_vma_folio, mlock_new_folio): one more VM_LOCKED mapping holds the page.
    /// It becomes PG_mlocked and, if it is on an evictable LRU list, moves to the unevictable one
    /// (inactive); off the LRU (isolated), lru_add puts it there when it comes back.
    /// </summary>
    public void MlockPage(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Flags |= PageFlags.Mlocked;
        _mlockCount[pfn] = MlockCount(pfn) + 1;
        if (f.Has(PageFlags.Lru) && !f.Has(PageFlags.Unevictable))
        {
            Unlink(ListOf(f.Flags), (int)pfn);
            f.Flags = (f.Flags | PageFlags.Unevictable) & ~PageFlags.Active;
            PushFront(LruList.Unevictable, (int)pfn);
        }
    }

    /// <summary>
    /// munlock_folio (munlock_vma_folio): a VM_LOCKED mapping lets go of the page. When it was
    /// the last, PG_mlocked clears and the page goes back to an evictable list (rescued).
    /// </summary>
    public void MunlockPage(long pfn)
    {
        int count = MlockCount(pfn) - 1;
        if (count > 0)
        {
            _mlockCount[pfn] = count;
            return;
        }

        MunlockAll(pfn);
    }

    /// <summary>No VM_LOCKED mapping holds the page any more (it was unmapped from all of them).</summary>
    private void MunlockAll(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        _mlockCount.Remove(pfn);
        f.Flags &= ~PageFlags.Mlocked;
        if (f.Has(PageFlags.Lru) && f.Has(PageFlags.Unevictable))
        {
            Unlink(LruList.Unevictable, (int)pfn);
            f.Flags &= ~PageFlags.Unevictable;
            PushFront(ListOf(f.Flags), (int)pfn);
        }
        else
        {
            f.Flags &= ~PageFlags.Unevictable;
        }
    }
}
