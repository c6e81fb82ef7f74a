using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// The NUMA machine a cluster simulates: its SLIT distances (node k is row k), the page frames of
/// each node, and who set it up (e.g. <c>experiment 'run': 4 processes x 256 pages</c>); the
/// described machine its steps are costed on (null: the SLIT-derived model), the kernel's
/// migration protocol, the CPUs each process runs on (where TLB shootdowns send IPIs), and the
/// folio order of the processes' private memory (0: base pages).
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MachineDescription")]
public sealed record MachineDescription(
    int[][] Distances,
    int FramesPerNode,
    string ConfiguredBy,
    MachineProfile? Profile = null,
    MigrationProtocolKind Protocol = MigrationProtocolKind.PerPage,
    int CpusPerProcess = 0,
    int FolioOrder = 0)
{
    public int Nodes => Distances.Length;
}
