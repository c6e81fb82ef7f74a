namespace MigrationCluster.Dashboard;

/// <summary>One protocol step of a call: its number in the kernel document, the kernel function, its batches and wall-clock time.</summary>
public sealed record StepView(int Step, string Name, int Batches, double TotalMs, double MeanMs);
