using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Nodes;

public sealed partial class NodeMemory
{
    // ---- reverse map ------------------------------------------------------------------------

    /// <summary>
    /// do_wp_page's reuse test (wp_can_reuse_anon_folio): a write to a write-protected anonymous
    /// page takes it over when nothing else holds it, its only reference the one PTE's; a page
    /// still shared after fork (mapcount 2) or pinned is copied instead (wp_page_copy).
    /// </summary>
    public bool WpCanReuseAnonPage(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        return PageMapping.IsAnon(f.Mapping) && f.Mapcount == 1 && f.Refcount == 1;
    }

    /// <summary>
    /// folio_try_dup_anon_rmap_pte's test at fork (folio_needs_cow_for_dma): an exclusive
    /// anonymous page (mapped by its one PTE) that may be DMA-pinned (page_maybe_dma_pinned: the
    /// pin bias in its refcount) cannot be shared with the child, whose writes the device would
    /// not see: the child gets a copy.
    /// </summary>
    public bool PageNeedsCowForDma(long pfn)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        return PageMapping.IsAnon(f.Mapping) && f.Mapcount == 1 && f.Refcount >= GupPinCountingBias;
    }

    /// <summary>page_add_rmap: one more PTE maps the frame (mapcount and the PTE's reference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PageAddRmap(long pfn, PteRef pte)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.RmapSpace == 0)
        {
            // The common case, one mapping: inline in the frame.
            f.RmapSpace = pte.Space + 1;
            f.RmapVirtualPage = pte.VirtualPage;
        }
        else
        {
            AddOverflowRmap(ref f, pfn, pte);
        }

        f.Mapcount++;
        f.Refcount++;
    }

    private void AddOverflowRmap(ref PageFrame f, long pfn, PteRef pte)
    {
        if (f.RmapSpace > 0)
        {
            _rmapOverflow[pfn] = [new PteRef(f.RmapSpace - 1, f.RmapVirtualPage)];
            f.RmapSpace = -1;
        }

        _rmapOverflow[pfn].Add(pte);
    }

    /// <summary>page_remove_rmap plus the PTE's put_page. Returns true if the frame was freed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool PageRemoveRmap(long pfn, PteRef pte)
    {
        ref PageFrame f = ref LiveFrame(pfn);
        if (f.RmapSpace - 1 == pte.Space && f.RmapVirtualPage == pte.VirtualPage)
        {
            // The common case: the frame's one inline mapping goes.
            f.RmapSpace = 0;
            f.RmapVirtualPage = 0;
        }
        else
        {
            RemoveOverflowRmap(ref f, pfn, pte);
        }

        f.Mapcount--;
        return PutPage(pfn);
    }

    private void RemoveOverflowRmap(ref PageFrame f, long pfn, PteRef pte)
    {
        if (f.RmapSpace > 0)
        {
            throw new InvalidOperationException($"page {Id}:{pfn} is not mapped by {pte}");
        }
        else if (f.RmapSpace < 0)
        {
            List<PteRef> list = _rmapOverflow[pfn];
            if (!list.Remove(pte))
            {
                throw new InvalidOperationException($"page {Id}:{pfn} is not mapped by {pte}");
            }

            if (list.Count == 1)
            {
                f.RmapSpace = list[0].Space + 1;
                f.RmapVirtualPage = list[0].VirtualPage;
                _rmapOverflow.Remove(pfn);
            }
        }
        else
        {
            throw new InvalidOperationException($"page {Id}:{pfn} has no mappings to remove {pte} from");
        }
    }

    /// <summary>rmap_walk: appends the PTEs that map the frame.</summary>
    public void RmapWalk(long pfn, List<PteRef> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        PageFrame f = _frames[pfn];
        if (f.RmapSpace > 0)
        {
            into.Add(new PteRef(f.RmapSpace - 1, f.RmapVirtualPage));
        }
        else if (f.RmapSpace < 0)
        {
            into.AddRange(_rmapOverflow[pfn]);
        }
    }
}
