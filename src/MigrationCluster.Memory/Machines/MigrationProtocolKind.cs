namespace MigrationCluster.Memory.Machines;

/// <summary>
/// Which generation of the kernel's migrate_pages() the simulated machine runs. Both go through
/// the same steps; they differ in when the TLB is flushed and how the fixed costs add up.
/// </summary>
public enum MigrationProtocolKind
{
    /// <summary>
    /// Before Linux 6.3 (unmap_and_move): each page is unmapped, flushed, copied and remapped on
    /// its own, so every PTE that becomes a migration entry costs one TLB shootdown.
    /// </summary>
    PerPage,

    /// <summary>
    /// Linux 6.3 and later (migrate_pages_batch): a batch of up to 512 base pages is unmapped with
    /// one batched TLB flush (try_to_unmap_flush), then moved. A sync migration retries the pages
    /// the batch failed one by one (migrate_pages_sync's fallback).
    /// </summary>
    Batched,
}
