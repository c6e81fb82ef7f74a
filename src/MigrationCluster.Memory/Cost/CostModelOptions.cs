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
    public const double DefaultTlbIpiNs = 250;
    public const double DefaultRemapNs = 20;
    public const double DefaultSyscallNs = 200;
    public const double DefaultLruDrainIpiNs = 1000;
    public const double DefaultIsolateNs = 100;
    public const int DefaultCpusPerNode = 4;

    /// <summary>Latency of a load from local memory; remote latency scales by distance / 10.</summary>
    public double LocalAccessNs { get; set; } = DefaultLocalAccessNs;

    /// <summary>Copy bandwidth between pages of one node (10 bytes/ns = 10 GB/s); it falls by 10 / distance.</summary>
    public double LocalCopyBytesPerNs { get; set; } = DefaultLocalCopyBytesPerNs;

    /// <summary>Cost of unmapping one mapping of a page (its PTE becomes a migration entry).</summary>
    public double PteUpdateNs { get; set; } = DefaultPteUpdateNs;

    /// <summary>The fixed cost of one TLB flush on the migrating CPU (the shootdown's own part).</summary>
    public double TlbFlushNs { get; set; } = DefaultTlbFlushNs;

    /// <summary>What a shootdown adds per target CPU (an IPI sent, the remote flush, its acknowledgement).</summary>
    public double TlbIpiNs { get; set; } = DefaultTlbIpiNs;

    /// <summary>Restoring one mapping (a migration entry becomes a PTE to the new page).</summary>
    public double RemapNs { get; set; } = DefaultRemapNs;

    /// <summary>Entering and leaving a migration syscall (move_pages, migrate_pages).</summary>
    public double SyscallNs { get; set; } = DefaultSyscallNs;

    /// <summary>lru_add_drain_all(), per CPU of the machine (it queues a drain on every CPU and waits for each).</summary>
    public double LruDrainIpiNs { get; set; } = DefaultLruDrainIpiNs;

    /// <summary>Finding and isolating one page from its LRU (follow_page, isolate_lru_page).</summary>
    public double IsolateNs { get; set; } = DefaultIsolateNs;

    /// <summary>CPUs per node of a machine described only by SLIT distances (a machine file gives its own).</summary>
    public int CpusPerNode { get; set; } = DefaultCpusPerNode;

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
        Check(TlbIpiNs, nameof(TlbIpiNs));
        Check(RemapNs, nameof(RemapNs));
        Check(SyscallNs, nameof(SyscallNs));
        Check(LruDrainIpiNs, nameof(LruDrainIpiNs));
        Check(IsolateNs, nameof(IsolateNs));
        if (CpusPerNode < 1)
        {
            throw new ArgumentException($"{nameof(CostModelOptions)}.{nameof(CpusPerNode)} must be >= 1, got {CpusPerNode}");
        }
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
