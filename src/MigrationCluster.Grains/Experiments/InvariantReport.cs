namespace MigrationCluster.Grains.Experiments;

/// <summary>
/// Violations found by the end-of-run check across all grains (each count must be 0), and what
/// was checked; then the memory model's own <c>InvariantChecker</c> over a snapshot of every grain
/// (free lists, page cache, one frame per logical page, contents checksums too), whose first
/// violation, if any, is <see cref="CheckerViolation"/>.
/// </summary>
[GenerateSerializer]
[Immutable]
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
    long StaleReads,
    string? CheckerViolation = null)
{
    public int Total => PteToDeadFrame + PteMissingFromRmap + MapcountMismatch + RefcountTooLow + MigrationEntriesLeft + LockedFramesLeft + OrphanAnonFrames + (int)StaleReads + (CheckerViolation is null ? 0 : 1);
}
