using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>How far one page has got through the protocol, so later steps and back-outs know what to undo.</summary>
[Flags]
public enum MigrationProgress : ushort
{
    None = 0,
    OldLocked = 1 << 0,
    NewAllocated = 1 << 1,
    Unmapped = 1 << 2,
    TreeLocked = 1 << 3,
    Replaced = 1 << 4,
    Copied = 1 << 5,

    /// <summary>Only the isolation reference was left at lock time: the page was freed under us.</summary>
    FreedUnderUs = 1 << 6,
}

/// <summary>
/// The descriptor of one page in a migration batch: plain data that flows through the steps. Each
/// step reads the fields earlier steps filled and writes its own; a page with a non-zero
/// <see cref="Result"/> has left the batch for this pass and only the undo steps touch it.
/// </summary>
public struct MigrationPage
{
    public PageRef Old;
    public int TargetNode;
    public PageRef New;

    /// <summary>0 while in flight or on success; a negative errno once the page failed this pass.</summary>
    public int Result;

    public MigrationProgress Progress;

    /// <summary>page->mapping of the old page, read at lock time (<see cref="PageMapping"/>).</summary>
    public int Mapping;

    /// <summary>The address space that owns the file mapping's radix tree; -1 for anonymous pages.</summary>
    public int MappingOwner;

    public long Index;
    public bool HasPrivate;

    /// <summary>The refcount carries a pin_user_pages bias: exclusive anonymous PTEs refuse to unmap.</summary>
    public bool MaybeDmaPinned;

    /// <summary>Flags of the old page, read when the contents are copied.</summary>
    public PageFlags OldFlags;

    /// <summary>The old page's mlock_count (its VM_LOCKED mappings), which the new page takes.</summary>
    public int MlockCount;

    /// <summary>The contents word read from the old page by <c>copy_page</c>.</summary>
    public ulong Contents;

    public MigrationPage(PageRef old, int targetNode)
    {
        Old = old;
        TargetNode = targetNode;
        New = PageRef.None;
        MappingOwner = -1;
    }

    public readonly bool InFlight => Result == 0 && (Progress & MigrationProgress.FreedUnderUs) == 0;

    public readonly bool IsFile => PageMapping.IsFile(Mapping);

    public readonly bool Has(MigrationProgress p) => (Progress & p) != 0;
}

/// <summary>A PTE that <c>try_to_unmap</c> turned into a migration entry for page <see cref="BatchIndex"/>.</summary>
public record struct MigrationPte(int BatchIndex, AddressSpaces.PteRef Pte);
