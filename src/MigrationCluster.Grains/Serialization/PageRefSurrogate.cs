using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Serialization;

/// <summary>
/// The memory model is plain C# with no Orleans attributes (it references nothing of ours or
/// Orleans'), so its types cross grain boundaries through surrogates registered here.
/// </summary>
[GenerateSerializer]
[Alias("mc.PageRef")]
public struct PageRefSurrogate
{
    [Id(0)] public int Node;
    [Id(1)] public long Pfn;
}

[RegisterConverter]
public sealed class PageRefConverter : IConverter<PageRef, PageRefSurrogate>
{
    public PageRef ConvertFromSurrogate(in PageRefSurrogate surrogate) => new(surrogate.Node, surrogate.Pfn);

    public PageRefSurrogate ConvertToSurrogate(in PageRef value) => new() { Node = value.Node, Pfn = value.Pfn };
}
