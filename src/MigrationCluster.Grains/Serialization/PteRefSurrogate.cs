using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.PteRef")]
public struct PteRefSurrogate
{
    [Id(0)] public int Space;
    [Id(1)] public long VirtualPage;
}

[RegisterConverter]
public sealed class PteRefConverter : IConverter<PteRef, PteRefSurrogate>
{
    public PteRef ConvertFromSurrogate(in PteRefSurrogate surrogate) => new(surrogate.Space, surrogate.VirtualPage);

    public PteRefSurrogate ConvertToSurrogate(in PteRef value) => new() { Space = value.Space, VirtualPage = value.VirtualPage };
}
