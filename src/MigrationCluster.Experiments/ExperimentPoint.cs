using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments;

/// <summary>One point of a sweep: a machine of <see cref="Nodes"/> nodes on <see cref="Silos"/> silos, one repeat, its spec.</summary>
public sealed record ExperimentPoint(int Index, int Nodes, int Silos, int Repeat, string Topology, ExperimentSpec Spec)
{
    public int Seed => Spec.Seed;

    public string Describe() => $"{Nodes} nodes, {(Spec.FolioOrder > 0 ? $"{FolioSizes.Name(Spec.FolioOrder)} folios, " : "")}{Silos} silo{(Silos == 1 ? "" : "s")}, repeat {Repeat}";
}
