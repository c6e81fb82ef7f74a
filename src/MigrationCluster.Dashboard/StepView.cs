namespace MigrationCluster.Dashboard;

/// <summary>
/// One protocol step of a call: its number in the kernel document, the kernel function, its
/// batches, its simulated time (what the simulated machine spent on it: the bars) and the host's
/// wall-clock time (what the simulator spent).
/// </summary>
public sealed record StepView(int Step, string Name, int Batches, long SimulatedTotalNs, long SimulatedMeanNs, double TotalMs, double MeanMs);
