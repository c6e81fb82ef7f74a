using System.Runtime.CompilerServices;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Runtime.Serialization;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// Binary codecs for the batches that every protocol step sends (hundreds of page descriptors a
/// call): the JSON fallback would make copying the batch the most expensive part of a step.
/// </summary>
internal static class MigrationPageCodec
{
    // Must run before the first grain call that carries a batch: the assembly's load is the one moment that is always earlier.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        WireCodecs.Register<MigrationPage[]>(WritePages, ReadPages);
        WireCodecs.Register<MigrationPte[]>(WritePtes, ReadPtes);
    }

    private static void WritePages(WireWriter writer, MigrationPage[] pages)
    {
        writer.WriteInt32(pages.Length);
        foreach (var p in pages)
        {
            writer.WriteInt32(p.Old.Node);
            writer.WriteInt64(p.Old.Pfn);
            writer.WriteInt32(p.TargetNode);
            writer.WriteInt32(p.New.Node);
            writer.WriteInt64(p.New.Pfn);
            writer.WriteInt32(p.Result);
            writer.WriteInt32((int)p.Progress);
            writer.WriteInt32(p.Mapping);
            writer.WriteInt32(p.MappingOwner);
            writer.WriteInt64(p.Index);
            writer.WriteByte((byte)((p.HasPrivate ? 1 : 0) | (p.MaybeDmaPinned ? 2 : 0)));
            writer.WriteInt32((int)p.OldFlags);
            writer.WriteInt64((long)p.Contents);
        }
    }

    private static MigrationPage[] ReadPages(WireReader reader)
    {
        var pages = new MigrationPage[ReadLength(reader)];
        for (var i = 0; i < pages.Length; i++)
        {
            pages[i] = new MigrationPage(new PageRef(reader.ReadInt32(), reader.ReadInt64()), reader.ReadInt32())
            {
                New = new PageRef(reader.ReadInt32(), reader.ReadInt64()),
                Result = reader.ReadInt32(),
                Progress = (MigrationProgress)reader.ReadInt32(),
                Mapping = reader.ReadInt32(),
                MappingOwner = reader.ReadInt32(),
                Index = reader.ReadInt64(),
            };
            var bits = reader.ReadByte();
            pages[i].HasPrivate = (bits & 1) != 0;
            pages[i].MaybeDmaPinned = (bits & 2) != 0;
            pages[i].OldFlags = (PageFlags)reader.ReadInt32();
            pages[i].Contents = (ulong)reader.ReadInt64();
        }
        return pages;
    }

    private static void WritePtes(WireWriter writer, MigrationPte[] ptes)
    {
        writer.WriteInt32(ptes.Length);
        foreach (var m in ptes)
        {
            writer.WriteInt32(m.BatchIndex);
            writer.WriteInt32(m.Pte.Space);
            writer.WriteInt64(m.Pte.VirtualPage);
        }
    }

    private static MigrationPte[] ReadPtes(WireReader reader)
    {
        var ptes = new MigrationPte[ReadLength(reader)];
        for (var i = 0; i < ptes.Length; i++)
        {
            ptes[i] = new MigrationPte(reader.ReadInt32(), new PteRef(reader.ReadInt32(), reader.ReadInt64()));
        }
        return ptes;
    }

    private static int ReadLength(WireReader reader)
    {
        var length = reader.ReadInt32();
        return length >= 0 && length <= reader.Remaining ? length : throw new WireFormatException($"Bad batch length {length}.");
    }
}
