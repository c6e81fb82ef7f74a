namespace MigrationCluster.Memory.Topology;

/// <summary>One node as <c>numactl --hardware</c> describes it.</summary>
public sealed record NumaNodeInfo(int Id, IReadOnlyList<int> Cpus, long SizeMb, long FreeMb)
{
    /// <summary>4 KiB page frames in <see cref="SizeMb"/>.</summary>
    public long SizeInPages => SizeMb * 256;

    public bool HasMemory => SizeMb > 0;
}
