using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.MigrationRequest")]
public struct MigrationRequestSurrogate
{
    [Id(0)] public int Node;
    [Id(1)] public long Pfn;
    [Id(2)] public int TargetNode;
    [Id(3)] public int Order;
}

[RegisterConverter]
public sealed class MigrationRequestConverter : IConverter<MigrationRequest, MigrationRequestSurrogate>
{
    public MigrationRequest ConvertFromSurrogate(in MigrationRequestSurrogate surrogate) =>
        new(new PageRef(surrogate.Node, surrogate.Pfn), surrogate.TargetNode, surrogate.Order);

    public MigrationRequestSurrogate ConvertToSurrogate(in MigrationRequest value) =>
        new() { Node = value.Page.Node, Pfn = value.Page.Pfn, TargetNode = value.TargetNode, Order = value.Order };
}
