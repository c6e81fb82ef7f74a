using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.MigrationPte")]
public struct MigrationPteSurrogate
{
    [Id(0)] public int BatchIndex;
    [Id(1)] public int Space;
    [Id(2)] public long VirtualPage;
    [Id(3)] public bool PmdTail;
}

[RegisterConverter]
public sealed class MigrationPteConverter : IConverter<MigrationPte, MigrationPteSurrogate>
{
    public MigrationPte ConvertFromSurrogate(in MigrationPteSurrogate surrogate) =>
        new(surrogate.BatchIndex, new PteRef(surrogate.Space, surrogate.VirtualPage), surrogate.PmdTail);

    public MigrationPteSurrogate ConvertToSurrogate(in MigrationPte value) =>
        new() { BatchIndex = value.BatchIndex, Space = value.Pte.Space, VirtualPage = value.Pte.VirtualPage, PmdTail = value.PmdTail };
}
