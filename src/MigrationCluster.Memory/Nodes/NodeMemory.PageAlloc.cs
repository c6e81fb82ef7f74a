using System.Runtime.CompilerServices;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- allocation -------------------------------------------------------------------------

    /// <summary>alloc_pages: a frame with refcount 1, or -1 when the node is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long AllocPage()
    {
        int i = _head[(int)LruList.Free];
        if (i < 0)
        {
            return -1;
        }

        Unlink(LruList.Free, i);
        ref PageFrame f = ref _frames[i];
        f = default;
        f.Refcount = 1;
        f.LruPrev = -1;
        f.LruNext = -1;
        f.Contents = PageContents.Zero;
        if (_bytes is not null)
        {
            _bytes[i] = new byte[PageContents.PageSize];
            PageContents.Expand(f.Contents, _bytes[i]);
        }

        return i;
    }

    /// <summary>get_page.</summary>
    public void GetPage(long pfn, int references = 1)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Refcount += references;
    }

    /// <summary>put_page: drops references; the last one frees the frame. Returns true when it was freed.</summary>
    public bool PutPage(long pfn, int references = 1)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        f.Refcount -= references;
        return f.Refcount <= 0 && FreePage(pfn);
    }

    // The last put_page, kept out of PutPage so that the common case inlines into the steps.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool FreePage(long pfn)
    {
        ref PageFrame f = ref _frames[pfn];
        if (f.Refcount < 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} refcount went negative");
        }

        if (f.Mapcount != 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} freed while mapped {f.Mapcount} times");
        }

        if (f.Has(PageFlags.Lru))
        {
            Unlink(ListOf(f.Flags), (int)pfn);
        }

        f = default;
        f.Flags = PageFlags.Buddy;
        if (_bytes is not null)
        {
            _bytes[pfn] = null;
        }

        PushFront(LruList.Free, (int)pfn);
        // Both are almost always empty: skip the lookups then (this runs for every migrated page).
        if (_waiters.Count > 0)
        {
            _waiters.Remove(pfn);
        }

        if (_writebackQueue.Count > 0)
        {
            _writebackQueue.Remove(pfn);
        }

        if (_mlockCount.Count > 0)
        {
            _mlockCount.Remove(pfn);
        }

        return true;
    }
}
