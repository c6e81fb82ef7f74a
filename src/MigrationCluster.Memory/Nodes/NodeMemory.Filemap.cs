using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- page lock --------------------------------------------------------------------------

    /// <summary>trylock_page.</summary>
    public bool TryLockPage(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.Has(PageFlags.Locked))
        {
            return false;
        }

        f.Flags |= PageFlags.Locked;
        return true;
    }

    /// <summary>Queues a waiter on a locked page (FIFO), as lock_page or a fault would sleep.</summary>
    public void AddLockWaiter(long pfn, PageLockWaiter waiter)
    {
        if (!_waiters.TryGetValue(pfn, out Queue<PageLockWaiter>? queue))
        {
            queue = new Queue<PageLockWaiter>();
            _waiters[pfn] = queue;
        }

        queue.Enqueue(waiter);
    }

    public IReadOnlyCollection<PageLockWaiter> LockWaiters(long pfn) =>
        _waiters.TryGetValue(pfn, out Queue<PageLockWaiter>? q) ? q : [];

    /// <summary>unlock_page: clears PG_locked and wakes the waiters in FIFO order (appended to <paramref name="woken"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void UnlockPage(long pfn, List<PageLockWaiter>? woken)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (!f.Has(PageFlags.Locked))
        {
            throw new InvalidOperationException($"unlock of unlocked page {Id}:{pfn}");
        }

        f.Flags &= ~PageFlags.Locked;
        if (_waiters.Count > 0 && _waiters.Remove(pfn, out Queue<PageLockWaiter>? queue))
        {
            woken?.AddRange(queue);
        }
    }

    // ---- contents and flags -----------------------------------------------------------------

    public ulong ReadContents(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        return _bytes is null ? f.Contents : PageContents.Fold(_bytes[pfn]);
    }

    public void WriteContents(long pfn, ulong contents)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Contents = contents;
        if (_bytes is not null)
        {
            PageContents.Expand(contents, _bytes[pfn]);
        }
    }

    public void SetFlags(long pfn, PageFlags set) => LiveFrame(pfn).Flags |= set;

    public void ClearFlags(long pfn, PageFlags clear) => LiveFrame(pfn).Flags &= ~clear;

    /// <summary>page->mapping and page->index, set when the page enters a mapping.</summary>
    public void SetMapping(long pfn, int mapping, long index)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Mapping = mapping;
        f.Index = index;
    }

    /// <summary>set_page_writeback: the page is under I/O; it stops being dirty.</summary>
    public void SetPageWriteback(long pfn) =>
        LiveFrame(pfn).Flags = (LiveFrame(pfn).Flags | PageFlags.Writeback) & ~PageFlags.Dirty;

    /// <summary>end_page_writeback.</summary>
    public void EndPageWriteback(long pfn) => LiveFrame(pfn).Flags &= ~PageFlags.Writeback;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref PageFrame LiveFrame(long pfn)
    {
        ref PageFrame f = ref _frames[pfn];
        if (f.Has(PageFlags.Buddy))
        {
            ThrowFree(pfn);
        }

        return ref f;
    }

    // Out of line so that LiveFrame stays small enough to inline into the steps.
    [DoesNotReturn]
    private void ThrowFree(long pfn) => throw new InvalidOperationException($"page {Id}:{pfn} is free");
}
