namespace MigrationCluster.Memory.Cost;

/// <summary>Simulated-time costs (nanoseconds as numbers; no clock). Defaults are named constants.</summary>
public sealed class CostModelOptions
{
    public const double DefaultLocalAccessNs = 80;
    public const double DefaultLocalCopyBytesPerNs = 10;
    public const double DefaultPteUpdateNs = 20;
    public const double DefaultTlbFlushNs = 1500;
    public const double DefaultWritebackWaitNs = 100_000;
    public const double DefaultStepNs = 200;
    public const double DefaultPageLockNs = 20;
    public const double DefaultPageFlagNs = 10;
    public const double DefaultPageAllocNs = 150;
    public const double DefaultRadixTreeNs = 40;
    public const double DefaultLruNs = 30;

    /// <summary>Latency of a load from local memory; remote latency scales by distance / 10.</summary>
    public double LocalAccessNs { get; set; } = DefaultLocalAccessNs;

    /// <summary>Copy bandwidth between pages of one node (10 bytes/ns = 10 GB/s); it falls by 10 / distance.</summary>
    public double LocalCopyBytesPerNs { get; set; } = DefaultLocalCopyBytesPerNs;

    /// <summary>Cost of changing one PTE (clear, set a migration entry, or install).</summary>
    public double PteUpdateNs { get; set; } = DefaultPteUpdateNs;

    /// <summary>Cost of one TLB flush (a shootdown, once per batch and address space).</summary>
    public double TlbFlushNs { get; set; } = DefaultTlbFlushNs;

    /// <summary>How long a sync migration waits for a page under writeback.</summary>
    public double WritebackWaitNs { get; set; } = DefaultWritebackWaitNs;

    /// <summary>The fixed cost of one protocol step on one batch (the kernel function's entry and loop).</summary>
    public double StepNs { get; set; } = DefaultStepNs;

    /// <summary>Taking or dropping one page lock (lock_page, unlock_page).</summary>
    public double PageLockNs { get; set; } = DefaultPageLockNs;

    /// <summary>Reading or changing one page's flags or reference count.</summary>
    public double PageFlagNs { get; set; } = DefaultPageFlagNs;

    /// <summary>Allocating one page on the target node (the buddy allocator's fast path).</summary>
    public double PageAllocNs { get; set; } = DefaultPageAllocNs;

    /// <summary>One radix-tree (xarray) operation on a file page's slot.</summary>
    public double RadixTreeNs { get; set; } = DefaultRadixTreeNs;

    /// <summary>Putting one page back on an LRU list (or freeing the old frame).</summary>
    public double LruNs { get; set; } = DefaultLruNs;

    public void Validate()
    {
        Check(StepNs, nameof(StepNs));
        Check(PageLockNs, nameof(PageLockNs));
        Check(PageFlagNs, nameof(PageFlagNs));
        Check(PageAllocNs, nameof(PageAllocNs));
        Check(RadixTreeNs, nameof(RadixTreeNs));
        Check(LruNs, nameof(LruNs));
        Check(LocalAccessNs, nameof(LocalAccessNs));
        Check(LocalCopyBytesPerNs, nameof(LocalCopyBytesPerNs));
        Check(PteUpdateNs, nameof(PteUpdateNs));
        Check(TlbFlushNs, nameof(TlbFlushNs));
        Check(WritebackWaitNs, nameof(WritebackWaitNs));
        if (LocalCopyBytesPerNs == 0)
        {
            throw new ArgumentException($"{nameof(CostModelOptions)}.{nameof(LocalCopyBytesPerNs)} must be positive");
        }
    }

    private static void Check(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentException($"{nameof(CostModelOptions)}.{name} must be a finite number >= 0, got {value}");
        }
    }
}
