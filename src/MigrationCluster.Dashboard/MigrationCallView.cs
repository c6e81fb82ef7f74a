namespace MigrationCluster.Dashboard;

/// <summary>
/// One migrate_pages call (still running, or done): its pages, passes, simulated duration (and the
/// host's wall time), the silo its coordinator ran on, the time each protocol step took, and its
/// trace (a Jaeger link when the dashboard knows a Jaeger UI).
/// </summary>
public sealed record MigrationCallView(
    string Id,
    bool Running,
    long StartedUnixMs,
    long SimulatedNs,
    double ElapsedMs,
    string Mode,
    string Reason,
    int Requested,
    int Succeeded,
    int Failed,
    int Retried,
    int Passes,
    long Coordinator,
    string Silo,
    string? TraceId,
    string? TraceUrl,
    IReadOnlyList<StepView> Steps);
