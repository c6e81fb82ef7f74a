namespace MigrationCluster.Grains.Migration;

/// <summary>Wall-clock time a protocol step took over a whole migration: its batches and their mean.</summary>
[GenerateSerializer]
[Alias("mc.StepLatency")]
public sealed record StepLatency(int Step, string Name, int Batches, double TotalMs)
{
    public double MeanMs => Batches == 0 ? 0 : TotalMs / Batches;
}
