namespace MigrationCluster.Memory.Migration;

/// <summary>Options of the migrate_pages driver.</summary>
public sealed class MigrationProtocolOptions
{
    /// <summary>The kernel's NR_MAX_MIGRATE_PAGES_RETRY: passes before -EAGAIN becomes a failure.</summary>
    public const int DefaultMaxPasses = 10;

    /// <summary>Pages unmapped, flushed and moved together (the kernel's batch of HPAGE_PMD_NR).</summary>
    public const int DefaultBatchSize = 512;

    /// <summary>Passes after which sync modes block (the kernel's "force": pass > 2).</summary>
    public const int DefaultForcePass = 3;

    public int MaxPasses { get; set; } = DefaultMaxPasses;

    public int BatchSize { get; set; } = DefaultBatchSize;

    public int ForcePass { get; set; } = DefaultForcePass;

    /// <summary>HPAGE_PMD_ORDER with 4 KiB base pages: folios of this order and above are THPs (thp_migration_* counts them).</summary>
    public const int DefaultPmdOrder = 9;

    /// <summary>The order of a PMD-sized folio (log2 of the PTEs a page table holds).</summary>
    public int PmdOrder { get; set; } = DefaultPmdOrder;

    public void Validate()
    {
        if (MaxPasses < 1)
        {
            throw new ArgumentException($"{nameof(MigrationProtocolOptions)}.{nameof(MaxPasses)} must be >= 1, got {MaxPasses}");
        }

        if (BatchSize < 1)
        {
            throw new ArgumentException($"{nameof(MigrationProtocolOptions)}.{nameof(BatchSize)} must be >= 1, got {BatchSize}");
        }

        if (ForcePass < 0)
        {
            throw new ArgumentException($"{nameof(MigrationProtocolOptions)}.{nameof(ForcePass)} must be >= 0, got {ForcePass}");
        }
    }
}
