using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Tests.Migration;

/// <summary>
/// alloc_anon_folio's fallback (mm/memory.c, Linux 6.12): a write fault tries the highest
/// enabled folio order whose aligned range is unmapped, then each lower enabled order, counting
/// anon_fault_fallback for every order no node had a free range for, before a base page.
/// </summary>
public sealed class FolioFaultFallbackTests
{
    private const int ThpOrder = 9, MthpOrder = 4, SmallOrder = 2;

    /// <summary>One node of 32 frames with frames 0 and 16 in use: no free aligned 16-frame range, free 4-frame ones.</summary>
    private static (MemorySystem System, AddressSpaceMemory Space) Fragmented()
    {
        MemorySystem s = Harness.System(nodes: 1, frames: 32);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma filler = s.MmapAnon(a.Id, 17);
        for (long v = 0; v < 17; v++)
        {
            Harness.Touch(s, a.Id, filler.Start + v, 1);
        }

        Assert.Equal(0, s.Munmap(a.Id, filler.Start + 1, 15));
        Assert.False(s.Node(0).HasFreeFolio(MthpOrder));
        return (s, a);
    }

    [Fact]
    public void A_fault_with_no_free_64KiB_range_falls_back_to_the_next_enabled_order_and_counts_the_fallback()
    {
        var (s, a) = Fragmented();
        Vma region = s.MmapAnon(a.Id, 16, folioOrder: MthpOrder, fallbackOrders: 1 << SmallOrder);

        PageRef page = Harness.Touch(s, a.Id, region.Start + 5, 9);

        // The 64 KiB order failed (one fallback), the 16 KiB one took frames 4..7 for pages 4..7.
        Assert.Equal((0L, 1L), s.VmStat.Mthp(MthpOrder));
        Assert.Equal((1L, 0L), s.VmStat.Mthp(SmallOrder));
        Assert.Equal(SmallOrder, s.Node(0).FolioOrder(page.Pfn));
        Assert.Equal(1, page.Pfn % 4);
        Assert.All(Enumerable.Range(4, 4), v => Assert.Equal(PteKind.Present, a.GetPte(region.Start + v).Kind));
        Assert.Equal(PteKind.None, a.GetPte(region.Start).Kind);

        // A fault elsewhere in the 64 KiB range: that range is no longer unmapped, so the 64 KiB
        // order is not tried (no second fallback) and a 16 KiB folio is taken at once.
        PageRef second = Harness.Touch(s, a.Id, region.Start + 13, 4);
        Assert.Equal((0L, 1L), s.VmStat.Mthp(MthpOrder));
        Assert.Equal((2L, 0L), s.VmStat.Mthp(SmallOrder));
        Assert.Equal(SmallOrder, s.Node(0).FolioOrder(second.Pfn));
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Without_fallback_orders_the_fault_takes_a_base_page()
    {
        var (s, a) = Fragmented();
        Vma region = s.MmapAnon(a.Id, 16, folioOrder: MthpOrder);

        PageRef page = Harness.Touch(s, a.Id, region.Start + 5, 9);

        Assert.Equal((0L, 1L), s.VmStat.Mthp(MthpOrder));
        Assert.Equal((0L, 0L), s.VmStat.Mthp(SmallOrder));
        Assert.Equal(0, s.Node(page.Node).FolioOrder(page.Pfn));
        Assert.Equal(PteKind.None, a.GetPte(region.Start + 4).Kind);
    }

    [Fact]
    public void A_thp_fault_on_a_node_too_small_falls_back_to_a_64KiB_folio()
    {
        MemorySystem s = Harness.System(nodes: 2, frames: 300);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Vma region = s.MmapAnon(a.Id, 512, folioOrder: ThpOrder, fallbackOrders: 1 << MthpOrder);

        PageRef page = Harness.Touch(s, a.Id, region.Start + 40, 2);

        Assert.Equal((1L, 0L, 1L), (s.VmStat.ThpFaultFallback, s.VmStat.ThpFaultAlloc, s.VmStat.Mthp(ThpOrder).AnonFaultFallback));
        Assert.Equal((1L, 0L), s.VmStat.Mthp(MthpOrder));
        Assert.Equal((0, MthpOrder), (page.Node, s.Node(0).FolioOrder(page.Pfn)));
        Assert.False(a.GetPte(region.Start + 40).Huge);
        Assert.Equal(PteKind.Present, a.GetPte(region.Start + 32).Kind);
        Assert.Equal(PteKind.None, a.GetPte(region.Start + 48).Kind);
        InvariantChecker.Check(s);
    }

    [Fact]
    public void Fallback_orders_must_lie_below_the_folio_order()
    {
        MemorySystem s = Harness.System(nodes: 1, frames: 64);
        AddressSpaceMemory a = s.CreateAddressSpace(0);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.MmapAnon(a.Id, 16, folioOrder: SmallOrder, fallbackOrders: 1 << MthpOrder));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.MmapAnon(a.Id, 16, folioOrder: MthpOrder, fallbackOrders: 1));
    }
}
