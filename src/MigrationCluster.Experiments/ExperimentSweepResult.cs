namespace MigrationCluster.Experiments;

/// <summary>What a sweep did: the points planned, the rows of those that ran, and why it ended early, if it did.</summary>
public sealed record ExperimentSweepResult(
    IReadOnlyList<ExperimentPoint> Points,
    IReadOnlyList<ExperimentRow> Rows,
    bool Interrupted,
    string? Error,
    bool PeakMemoryPerPoint,
    bool GrainCallsMeasured,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt)
{
    public int InvariantViolations => Rows.Sum(r => r.InvariantViolations);
}
