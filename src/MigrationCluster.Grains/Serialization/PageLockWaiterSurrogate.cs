using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Nodes;

namespace MigrationCluster.Grains.Serialization;

[GenerateSerializer]
[Alias("mc.PageLockWaiter")]
public struct PageLockWaiterSurrogate
{
    [Id(0)] public long Id;
    [Id(1)] public WaiterKind Kind;
    [Id(2)] public int Space;
    [Id(3)] public long VirtualPage;
    [Id(4)] public bool Write;
}

[RegisterConverter]
public sealed class PageLockWaiterConverter : IConverter<PageLockWaiter, PageLockWaiterSurrogate>
{
    public PageLockWaiter ConvertFromSurrogate(in PageLockWaiterSurrogate surrogate) =>
        new(surrogate.Id, surrogate.Kind, new PteRef(surrogate.Space, surrogate.VirtualPage), surrogate.Write);

    public PageLockWaiterSurrogate ConvertToSurrogate(in PageLockWaiter value) => new()
    {
        Id = value.Id,
        Kind = value.Kind,
        Space = value.Pte.Space,
        VirtualPage = value.Pte.VirtualPage,
        Write = value.Write,
    };
}
