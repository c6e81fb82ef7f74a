using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Grains.Serialization;

/// <summary>A described machine as it travels to the silos (the memory model references no Orleans).</summary>
[GenerateSerializer]
[Alias("mc.MachineProfile")]
public struct MachineProfileSurrogate
{
    [Id(0)] public string Name;
    [Id(1)] public string Description;
    [Id(2)] public int PageSize;
    [Id(3)] public int[] CpusPerNode;
    [Id(4)] public double[][] LatencyNs;
    [Id(5)] public double[][] CopyGbPerS;
    [Id(6)] public double[] NodeCopyGbPerS;

    /// <summary>The fixed costs in <see cref="CostFields"/> order.</summary>
    [Id(7)] public double[] Costs;
}

[RegisterConverter]
public sealed class MachineProfileConverter : IConverter<MachineProfile, MachineProfileSurrogate>
{
    /// <summary>Every field of <see cref="CostModelOptions"/> a machine sets, in a fixed order.</summary>
    private static readonly (Func<CostModelOptions, double> Get, Action<CostModelOptions, double> Set)[] CostFields =
    [
        (o => o.LocalAccessNs, (o, v) => o.LocalAccessNs = v),
        (o => o.LocalCopyBytesPerNs, (o, v) => o.LocalCopyBytesPerNs = v),
        (o => o.PteUpdateNs, (o, v) => o.PteUpdateNs = v),
        (o => o.TlbFlushNs, (o, v) => o.TlbFlushNs = v),
        (o => o.WritebackWaitNs, (o, v) => o.WritebackWaitNs = v),
        (o => o.StepNs, (o, v) => o.StepNs = v),
        (o => o.PageLockNs, (o, v) => o.PageLockNs = v),
        (o => o.PageFlagNs, (o, v) => o.PageFlagNs = v),
        (o => o.PageAllocNs, (o, v) => o.PageAllocNs = v),
        (o => o.RadixTreeNs, (o, v) => o.RadixTreeNs = v),
        (o => o.LruNs, (o, v) => o.LruNs = v),
        (o => o.TlbIpiNs, (o, v) => o.TlbIpiNs = v),
        (o => o.RemapNs, (o, v) => o.RemapNs = v),
        (o => o.SyscallNs, (o, v) => o.SyscallNs = v),
        (o => o.LruDrainIpiNs, (o, v) => o.LruDrainIpiNs = v),
        (o => o.IsolateNs, (o, v) => o.IsolateNs = v),
        (o => o.CpusPerNode, (o, v) => o.CpusPerNode = (int)v),
    ];

    public MachineProfile ConvertFromSurrogate(in MachineProfileSurrogate surrogate)
    {
        var costs = new CostModelOptions();
        for (int i = 0; i < CostFields.Length && i < surrogate.Costs.Length; i++)
        {
            CostFields[i].Set(costs, surrogate.Costs[i]);
        }
        return new MachineProfile(surrogate.Name, surrogate.Description, surrogate.PageSize, surrogate.CpusPerNode, surrogate.LatencyNs, surrogate.CopyGbPerS, surrogate.NodeCopyGbPerS, costs);
    }

    public MachineProfileSurrogate ConvertToSurrogate(in MachineProfile value)
    {
        var costs = value.Costs;
        return new()
        {
            Name = value.Name,
            Description = value.Description,
            PageSize = value.PageSize,
            CpusPerNode = value.CpusPerNode,
            LatencyNs = value.LatencyNs,
            CopyGbPerS = value.CopyGbPerS,
            NodeCopyGbPerS = value.NodeCopyGbPerS,
            Costs = [.. CostFields.Select(f => f.Get(costs))],
        };
    }
}
