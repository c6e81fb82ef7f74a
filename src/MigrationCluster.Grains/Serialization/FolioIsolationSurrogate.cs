using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.FolioIsolation")]
public struct FolioIsolationSurrogate
{
    [Id(0)] public IsolateResult Result;
    [Id(1)] public long Head;
    [Id(2)] public int Order;
}

[RegisterConverter]
public sealed class FolioIsolationConverter : IConverter<FolioIsolation, FolioIsolationSurrogate>
{
    public FolioIsolation ConvertFromSurrogate(in FolioIsolationSurrogate surrogate) => new(surrogate.Result, surrogate.Head, surrogate.Order);

    public FolioIsolationSurrogate ConvertToSurrogate(in FolioIsolation value) => new() { Result = value.Result, Head = value.Head, Order = value.Order };
}
