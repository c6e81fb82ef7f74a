namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// Violations found by the end-of-run check across all grains (each count must be 0), and what
/// was checked. The check is the distributed form of the memory model's invariant checker.
/// </summary>
[GenerateSerializer]
[Alias("mc.InvariantReport")]
public sealed record InvariantReport(
    int PresentPtesChecked,
    int FramesChecked,
    int PteToDeadFrame,
    int PteMissingFromRmap,
    int MapcountMismatch,
    int RefcountTooLow,
    int MigrationEntriesLeft,
    int LockedFramesLeft,
    int OrphanAnonFrames,
    long StaleReads)
{
    public int Total => PteToDeadFrame + PteMissingFromRmap + MapcountMismatch + RefcountTooLow + MigrationEntriesLeft + LockedFramesLeft + OrphanAnonFrames + (int)StaleReads;
}
