using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- protocol steps on the old page's node ----------------------------------------------
    // Each step loops over a batch of up to 512 pages and runs once per batch: the steps (and the
    // per-page helpers above that they call) are compiled optimized at once, since tiered
    // compilation would run a migration's first few hundred thousand pages through unoptimized code.

    /// <summary>
    /// Step 1, lock_page, for pages of this node. Async mode and the first passes only try the
    /// lock (-EAGAIN); sync modes on a forced pass queue the migration as a waiter and retry on
    /// the next pass, the model's stand-in for sleeping. A page whose only reference is the
    /// isolation one was freed under us: it is done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LockPage(Span<MigrationPage> batch, MigrateMode mode, bool force, long waiterId)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            ref PageFrame f = ref _frames[p.Old.Pfn];
            if (f.Refcount == 1)
            {
                p.Progress |= MigrationProgress.FreedUnderUs;
                continue;
            }

            if (f.Has(PageFlags.Locked))
            {
                if (force && mode != MigrateMode.Async)
                {
                    AddLockWaiter(p.Old.Pfn, new PageLockWaiter(waiterId, WaiterKind.Migration, default, false));
                }

                p.Result = -Errno.EAGAIN;
                continue;
            }

            f.Flags |= PageFlags.Locked;
            p.Progress |= MigrationProgress.OldLocked;
            p.Mapping = f.Mapping;
            p.Index = f.Index;
            p.HasPrivate = f.Has(PageFlags.Private);
        }
    }

    /// <summary>
    /// Step 2, wait_on_page_writeback: only MIGRATE_SYNC waits, and only on a forced pass
    /// (-EAGAIN before); async and sync-light fail with -EBUSY. Returns how many pages waited.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WaitOnPageWriteback(Span<MigrationPage> batch, MigrateMode mode, bool force)
    {
        int waited = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight || !_frames[p.Old.Pfn].Has(PageFlags.Writeback))
            {
                continue;
            }

            if (mode != MigrateMode.Sync)
            {
                p.Result = -Errno.EBUSY;
            }
            else if (!force)
            {
                p.Result = -Errno.EAGAIN;
            }
            else
            {
                // The wait ends when the I/O completes; simulated time is charged by the caller.
                EndPageWriteback(p.Old.Pfn);
                waited++;
            }
        }

        return waited;
    }

    /// <summary>Step 4 (rmap side): the PTEs that map each page; notes pin_user_pages pins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RmapWalk(Span<MigrationPage> batch, int batchOffset, List<MigrationPte> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.Old.Pfn];
            p.MaybeDmaPinned = f.Refcount >= GupPinCountingBias;
            if (f.RmapSpace > 0)
            {
                into.Add(new MigrationPte(batchOffset + i, new PteRef(f.RmapSpace - 1, f.RmapVirtualPage)));
            }
            else if (f.RmapSpace < 0)
            {
                foreach (PteRef pte in _rmapOverflow[p.Old.Pfn])
                {
                    into.Add(new MigrationPte(batchOffset + i, pte));
                }
            }
        }
    }

    /// <summary>
    /// Step 4 (frame side): the unmapped PTEs drop their rmap entry and reference; then a page
    /// still mapped fails with -EAGAIN and its migration entries are undone at step 16.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void TryToUnmap(ReadOnlySpan<MigrationPte> unmapped, Span<MigrationPage> batch)
    {
        foreach (MigrationPte m in unmapped)
        {
            ref MigrationPage p = ref batch[m.BatchIndex];
            PageRemoveRmap(p.Old.Pfn, m.Pte);
            p.Progress |= MigrationProgress.Unmapped;
        }
    }

    /// <summary>Step 4's mapcount check for this node's pages: a page still mapped fails with -EAGAIN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageMappedCheck(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && _frames[p.Old.Pfn].Mapcount != 0)
            {
                p.Result = -Errno.EAGAIN;
            }
        }
    }

    /// <summary>
    /// Step 6, page_refcount_check: the old page must hold exactly the isolation reference, plus
    /// the page cache's for file pages and one for private data; anything more (a pin, a racing
    /// get_page) backs out with -EAGAIN.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefcountCheck(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && _frames[p.Old.Pfn].Refcount != ExpectedRefcount(p))
            {
                p.Result = -Errno.EAGAIN;
            }
        }
    }

    /// <summary>The reference count a page must have at step 6 (migrate_page_move_mapping's expected_count).</summary>
    public static int ExpectedRefcount(in MigrationPage p) => 1 + (p.IsFile ? 1 : 0) + (p.HasPrivate ? 1 : 0);

    /// <summary>Step 10 (old side): the page cache's and private data's references leave the old page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefTransferFrom(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile)
            {
                ref PageFrame f = ref _frames[p.Old.Pfn];
                f.Refcount -= ExpectedRefcount(p) - 1;
                f.Flags &= ~PageFlags.Private;
            }
        }
    }

    /// <summary>Step 12 (old side): reads contents and flags of each old page into the batch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageFrom(Span<MigrationPage> batch, Span<byte> bytes)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.Old.Pfn];
            p.OldFlags = f.Flags;
            p.MlockCount = _mlockCount.Count > 0 ? MlockCount(p.Old.Pfn) : 0;
            if (_bytes is null)
            {
                p.Contents = f.Contents;
            }
            else
            {
                p.Contents = f.Contents;
                if (!bytes.IsEmpty)
                {
                    _bytes[p.Old.Pfn].AsSpan().CopyTo(bytes.Slice(i * PageContents.PageSize, PageContents.PageSize));
                }
            }
        }
    }

    /// <summary>Step 14, clear_page_flags: the old page keeps nothing a reader or reclaim could act on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ClearPageFlags(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight)
            {
                // try_to_migrate_one's munlock: the old page is no VM_LOCKED mapping's any more.
                _frames[p.Old.Pfn].Flags &= ~(PageFlags.Dirty | PageFlags.Active | PageFlags.Referenced | PageFlags.Unevictable | PageFlags.Private | PageFlags.Mlocked);
                if (p.MlockCount > 0)
                {
                    _mlockCount.Remove(p.Old.Pfn);
                }
            }
        }
    }

    // ---- protocol steps on the target node ---------------------------------------------------

    /// <summary>Step 3, lock_new_page: a frame here, locked and not uptodate; -ENOMEM when the node is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void LockNewPage(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            long pfn = AllocPage();
            if (pfn < 0)
            {
                p.Result = -Errno.ENOMEM;
                continue;
            }

            _frames[pfn].Flags = PageFlags.Locked;
            p.New = new PageRef(Id, pfn);
            p.Progress |= MigrationProgress.NewAllocated;
        }
    }

    /// <summary>Step 8, prep_new_page: index, mapping and swap-backing from the old page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PrepNewPage(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            ref PageFrame f = ref _frames[p.New.Pfn];
            f.Index = p.Index;
            f.Mapping = p.Mapping;
            if (PageMapping.IsAnon(p.Mapping) || p.Mapping == PageMapping.None)
            {
                f.Flags |= PageFlags.SwapBacked;
            }
        }
    }

    /// <summary>Step 10 (new side): the new page takes the page cache's and private data's references.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageRefTransferTo(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile)
            {
                ref PageFrame f = ref _frames[p.New.Pfn];
                f.Refcount += ExpectedRefcount(p) - 1;
                if (p.HasPrivate)
                {
                    f.Flags |= PageFlags.Private;
                }
            }
        }
    }

    /// <summary>Step 12 (new side): the contents land in the new frame; a corrupt word is refused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageTo(Span<MigrationPage> batch, ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!p.InFlight)
            {
                continue;
            }

            if (!PageContents.IsValid(p.Contents))
            {
                throw new InvalidOperationException($"copy of {p.Old} carries a corrupt contents word {p.Contents:x16}");
            }

            _frames[p.New.Pfn].Contents = p.Contents;
            if (_bytes is not null)
            {
                byte[] page = _bytes[p.New.Pfn] ??= new byte[PageContents.PageSize];
                if (bytes.IsEmpty)
                {
                    PageContents.Expand(p.Contents, page);
                }
                else
                {
                    bytes.Slice(i * PageContents.PageSize, PageContents.PageSize).CopyTo(page);
                }
            }

            p.Progress |= MigrationProgress.Copied;
        }
    }

    /// <summary>Step 13, copy_page_flags (migrate_page_states): uptodate, dirty, active, referenced, ...</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyPageFlags(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight)
            {
                _frames[p.New.Pfn].Flags |= p.OldFlags & PageFlags.Migrated;
                if (p.MlockCount > 0)
                {
                    // remove_migration_ptes mlocks the new page once per VM_LOCKED mapping.
                    _mlockCount[p.New.Pfn] = p.MlockCount;
                }
            }
        }
    }

    /// <summary>Step 15, queue_writeback: a dirty file page is queued for writeback on its new node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void QueueWriteback(Span<MigrationPage> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (p.InFlight && p.IsFile && _frames[p.New.Pfn].Has(PageFlags.Dirty))
            {
                _writebackQueue.Add(p.New.Pfn);
            }
        }
    }

    /// <summary>Step 16 (frame side): each restored PTE adds its rmap entry and reference on the page it now maps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void RemoveMigrationPtes(ReadOnlySpan<MigrationPte> restored, ReadOnlySpan<MigrationPage> batch)
    {
        foreach (MigrationPte m in restored)
        {
            ref readonly MigrationPage p = ref batch[m.BatchIndex];
            PageAddRmap(p.Result == 0 ? p.New.Pfn : p.Old.Pfn, m.Pte);
        }
    }

    /// <summary>Step 19, unlock_page on this node's old and new pages; woken waiters are appended in FIFO order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UnlockPage(Span<MigrationPage> batch, List<PageLockWaiter> woken, bool newPages)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            if (!newPages && p.Has(MigrationProgress.OldLocked))
            {
                UnlockPage(p.Old.Pfn, woken);
                p.Progress &= ~MigrationProgress.OldLocked;
            }

            if (newPages && p.Has(MigrationProgress.NewAllocated) && _frames[p.New.Pfn].Has(PageFlags.Locked))
            {
                UnlockPage(p.New.Pfn, woken);
            }
        }
    }

    /// <summary>
    /// Step 20 on this node: a migrated page's new frame joins the LRU and the old frame is freed;
    /// a failed page's new frame is freed, and the old page goes back to the LRU unless it is
    /// to be retried (-EAGAIN, not the last pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PutbackLruPage(Span<MigrationPage> batch, bool keepRetries, bool newPages)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            ref MigrationPage p = ref batch[i];
            bool migrated = p.Result == 0 && p.Has(MigrationProgress.Copied);
            if (newPages)
            {
                if (!p.Has(MigrationProgress.NewAllocated))
                {
                    continue;
                }

                if (migrated)
                {
                    LruAdd(p.New.Pfn);
                }

                // The allocation's reference: kept by the page tables and cache when migrated, else the frame goes.
                PutPage(p.New.Pfn);
                p.Progress &= ~MigrationProgress.NewAllocated;
                continue;
            }

            if (migrated || p.Has(MigrationProgress.FreedUnderUs))
            {
                ClearFlags(p.Old.Pfn, PageFlags.Isolated);
                PutPage(p.Old.Pfn);
            }
            else if (p.Result != 0 && !(keepRetries && p.Result == -Errno.EAGAIN))
            {
                LruAdd(p.Old.Pfn);
                PutPage(p.Old.Pfn);
            }
        }
    }
}
