using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Serialization;

/// <summary>One page descriptor of a migration batch, flattened (every step sends hundreds of them).</summary>
[GenerateSerializer]
[Alias("mc.MigrationPage")]
public struct MigrationPageSurrogate
{
    [Id(0)] public int OldNode;
    [Id(1)] public long OldPfn;
    [Id(2)] public int TargetNode;
    [Id(3)] public int NewNode;
    [Id(4)] public long NewPfn;
    [Id(5)] public int Result;
    [Id(6)] public MigrationProgress Progress;
    [Id(7)] public int Mapping;
    [Id(8)] public int MappingOwner;
    [Id(9)] public long Index;
    [Id(10)] public bool HasPrivate;
    [Id(11)] public bool MaybeDmaPinned;
    [Id(12)] public PageFlags OldFlags;
    [Id(13)] public ulong Contents;
    [Id(14)] public int MlockCount;
}

[RegisterConverter]
public sealed class MigrationPageConverter : IConverter<MigrationPage, MigrationPageSurrogate>
{
    public MigrationPage ConvertFromSurrogate(in MigrationPageSurrogate s) => new(new PageRef(s.OldNode, s.OldPfn), s.TargetNode)
    {
        New = new PageRef(s.NewNode, s.NewPfn),
        Result = s.Result,
        Progress = s.Progress,
        Mapping = s.Mapping,
        MappingOwner = s.MappingOwner,
        Index = s.Index,
        HasPrivate = s.HasPrivate,
        MaybeDmaPinned = s.MaybeDmaPinned,
        OldFlags = s.OldFlags,
        Contents = s.Contents,
        MlockCount = s.MlockCount,
    };

    public MigrationPageSurrogate ConvertToSurrogate(in MigrationPage value) => new()
    {
        OldNode = value.Old.Node,
        OldPfn = value.Old.Pfn,
        TargetNode = value.TargetNode,
        NewNode = value.New.Node,
        NewPfn = value.New.Pfn,
        Result = value.Result,
        Progress = value.Progress,
        Mapping = value.Mapping,
        MappingOwner = value.MappingOwner,
        Index = value.Index,
        HasPrivate = value.HasPrivate,
        MaybeDmaPinned = value.MaybeDmaPinned,
        OldFlags = value.OldFlags,
        Contents = value.Contents,
        MlockCount = value.MlockCount,
    };
}
