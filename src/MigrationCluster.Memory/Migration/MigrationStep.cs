namespace MigrationCluster.Memory.Migration;

/// <summary>
/// The steps of Documentation/vm/page_migration in their revised order, with the document's own
/// numbers (there are no 17 and 18). The value is the step number.
/// </summary>
public enum MigrationStep
{
    LockPage = 1,
    WaitOnPageWriteback = 2,
    LockNewPage = 3,
    TryToUnmap = 4,
    RadixTreeLock = 5,
    PageRefcountCheck = 6,
    RadixTreeCheck = 7,
    PrepNewPage = 8,
    RadixTreeReplace = 9,
    PageRefTransfer = 10,
    RadixTreeUnlock = 11,
    CopyPage = 12,
    CopyPageFlags = 13,
    ClearPageFlags = 14,
    QueueWriteback = 15,
    RemoveMigrationPtes = 16,
    UnlockPage = 19,
    PutbackLruPage = 20,
}

/// <summary>The one table of step numbers, kernel function names and trace names.</summary>
public static class MigrationSteps
{
    public const string ActivitySourceName = "MigrationCluster.Migration";
    public const string RootSpanName = "migrate_pages";
    public const string StepTag = "migration.step";
    public const string SetMigrationPteEvent = "set_migration_pte";
    public const string RemoveMigrationPteEvent = "remove_migration_pte";

    /// <summary>All steps in the order the protocol runs them.</summary>
    public static readonly IReadOnlyList<MigrationStep> InOrder = Enum.GetValues<MigrationStep>();

    public static int Number(this MigrationStep step) => (int)step;

    public static string KernelName(this MigrationStep step) => step switch
    {
        MigrationStep.LockPage => "lock_page",
        MigrationStep.WaitOnPageWriteback => "wait_on_page_writeback",
        MigrationStep.LockNewPage => "lock_new_page",
        MigrationStep.TryToUnmap => "try_to_unmap",
        MigrationStep.RadixTreeLock => "radix_tree_lock",
        MigrationStep.PageRefcountCheck => "page_refcount_check",
        MigrationStep.RadixTreeCheck => "radix_tree_check",
        MigrationStep.PrepNewPage => "prep_new_page",
        MigrationStep.RadixTreeReplace => "radix_tree_replace",
        MigrationStep.PageRefTransfer => "page_ref_transfer",
        MigrationStep.RadixTreeUnlock => "radix_tree_unlock",
        MigrationStep.CopyPage => "copy_page",
        MigrationStep.CopyPageFlags => "copy_page_flags",
        MigrationStep.ClearPageFlags => "clear_page_flags",
        MigrationStep.QueueWriteback => "queue_writeback",
        MigrationStep.RemoveMigrationPtes => "remove_migration_ptes",
        MigrationStep.UnlockPage => "unlock_page",
        MigrationStep.PutbackLruPage => "putback_lru_page",
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    /// <summary>
    /// Whether <paramref name="step"/> does anything to <paramref name="page"/> (read at the step's
    /// start): forward steps to pages in flight (the radix-tree steps to file pages only, anonymous
    /// pages have no mapping), undo steps to failed pages that got that far (<paramref name="undo"/>).
    /// </summary>
    public static bool Touches(this MigrationStep step, in MigrationPage page, out bool undo)
    {
        undo = false;
        if (page.InFlight)
        {
            return page.IsFile || step is not (MigrationStep.RadixTreeLock or MigrationStep.RadixTreeCheck or MigrationStep.RadixTreeReplace or MigrationStep.RadixTreeUnlock);
        }
        undo = true;
        return step switch
        {
            MigrationStep.RadixTreeUnlock => page.Has(MigrationProgress.TreeLocked),
            MigrationStep.RemoveMigrationPtes => page.Has(MigrationProgress.Unmapped),
            MigrationStep.UnlockPage => page.Has(MigrationProgress.OldLocked),
            MigrationStep.PutbackLruPage => true,
            _ => false,
        };
    }
}
