using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// Sees the protocol as it runs: the grain layer turns it into spans; tests run accessors
/// between steps. Called synchronously between the driver's awaits.
/// </summary>
public interface IMigrationObserver
{
    void MigrationStarted(MigrateMode mode, MigrateReason reason, int pages);

    void MigrationEnded(MigrateResult result);

    void PassStarted(int pass, int pages);

    void PassEnded(int pass, int retry);

    void PageStarted(int pass, in MigrationPage page);

    /// <summary>A page's outcome in this pass: 0, -EAGAIN (retried next pass) or another errno.</summary>
    void PageEnded(int pass, in MigrationPage page, int errno);

    void StepStarted(MigrationStep step, ReadOnlySpan<MigrationPage> batch);

    /// <summary>After the step; each page's <see cref="MigrationPage.Result"/> is its per-page result.</summary>
    void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch);

    void SetMigrationPte(PageRef page, PteRef pte);

    void RemoveMigrationPte(PageRef page, PteRef pte);

    /// <summary>Tasks that unlock_page woke: they redo their accesses.</summary>
    void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters);
}

/// <summary>An observer that ignores everything, with every method virtual so observers can override a few.</summary>
public class MigrationObserver : IMigrationObserver
{
    public static readonly MigrationObserver None = new();

    public virtual void MigrationStarted(MigrateMode mode, MigrateReason reason, int pages)
    {
    }

    public virtual void MigrationEnded(MigrateResult result)
    {
    }

    public virtual void PassStarted(int pass, int pages)
    {
    }

    public virtual void PassEnded(int pass, int retry)
    {
    }

    public virtual void PageStarted(int pass, in MigrationPage page)
    {
    }

    public virtual void PageEnded(int pass, in MigrationPage page, int errno)
    {
    }

    public virtual void StepStarted(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
    }

    public virtual void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
    }

    public virtual void SetMigrationPte(PageRef page, PteRef pte)
    {
    }

    public virtual void RemoveMigrationPte(PageRef page, PteRef pte)
    {
    }

    public virtual void WaitersWoken(IReadOnlyList<PageLockWaiter> waiters)
    {
    }
}
