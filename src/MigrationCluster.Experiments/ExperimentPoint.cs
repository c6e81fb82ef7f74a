using MigrationCluster.Grains.Experiments;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments;

/// <summary>One point of a sweep: a machine of <see cref="Nodes"/> nodes on <see cref="Silos"/> silos, one repeat, its spec.</summary>
public sealed record ExperimentPoint(int Index, int Nodes, int Silos, int Repeat, string Topology, ExperimentSpec Spec)
{
    public int Seed => Spec.Seed;

    /// <summary>The machine preset's or file's name, or "slit" for the SLIT-derived model.</summary>
    public string Machine => Spec.Machine?.Name ?? "slit";

    public string Protocol => Machines.MachineNames.Of(Spec.Protocol);

    public string Describe() => $"{Nodes} nodes, {(Spec.FolioOrder > 0 ? $"{FolioSizes.Name(Spec.FolioOrder)} folios, " : "")}{Silos} silo{(Silos == 1 ? "" : "s")}, "
        + (Spec.Machine is null && Spec.Protocol == Memory.Machines.MigrationProtocolKind.PerPage ? "" : $"{Machine} {Protocol}, ")
        + $"repeat {Repeat}";
}
