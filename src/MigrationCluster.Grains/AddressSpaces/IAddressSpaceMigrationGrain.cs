using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What the migration coordinator calls on an address space: the protocol steps whose "where" in
/// DESIGN.md's step table is each address space that maps a page (the PTE side of 4 and 16) or the
/// mapping's owner (the radix-tree steps 5, 7, 9 and 11).
/// </summary>
[Alias("mc.IAddressSpaceMigrationGrain")]
public interface IAddressSpaceMigrationGrain : IGrainWithIntegerKey
{
    /// <summary>Step 4, PTE side: present PTEs become migration entries; returns those converted.</summary>
    [Alias("TryToUnmap")]
    Task<PteBatch> TryToUnmap(PteBatch ptes, BatchRun batch);

    /// <summary>Step 16, PTE side: migration entries become PTEs to the new page (or back to the old one).</summary>
    [Alias("RemoveMigrationPtes")]
    Task RemoveMigrationPtes(PteBatch ptes, BatchRun batch);

    /// <summary>split_huge_pmd for the pages of a folio being split: their PMD entries become PTEs. Only reads the array.</summary>
    [Alias("SplitHugePmd")]
    Task SplitHugePmd([Immutable] long[] virtualPages);

    // The radix-tree steps take the whole batch and change only the pages of the mappings this space owns.

    /// <summary>Step 5.</summary>
    [Alias("RadixTreeLock")]
    Task<BatchRun> RadixTreeLock(BatchRun batch);

    /// <summary>Step 7.</summary>
    [Alias("RadixTreeCheck")]
    Task<BatchRun> RadixTreeCheck(BatchRun batch);

    /// <summary>Step 9.</summary>
    [Alias("RadixTreeReplace")]
    Task<BatchRun> RadixTreeReplace(BatchRun batch);

    /// <summary>Step 11.</summary>
    [Alias("RadixTreeUnlock")]
    Task<BatchRun> RadixTreeUnlock(BatchRun batch);
}
