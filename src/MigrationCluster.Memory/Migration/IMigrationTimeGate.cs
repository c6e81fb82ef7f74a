using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Memory.Migration;

/// <summary>
/// Where a migration meets the rest of the simulation in simulated time (docs/simulated-time.md):
/// before a step that tasks can see (try_to_unmap, remove_migration_ptes, unlock_page) the
/// protocol waits here until every task has run up to the step's simulated time, and hands over
/// the tasks its last unlock_page woke, with that unlock's time.
/// </summary>
public interface IMigrationTimeGate
{
    ValueTask Reach(MigrationStep step, long atNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs);

    /// <summary>The call ended at <paramref name="endNs"/> (also when it failed): the tasks need not wait for it any more.</summary>
    ValueTask Finish(long endNs, IReadOnlyList<PageLockWaiter> woken, long wokenAtNs);
}
