using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// PTEs of a migration batch (those that map its pages, those try_to_unmap converted, those
/// step 16 restores). A list of PTEs is a set of facts nobody changes once it is made, so within a
/// silo it is handed over as it is; between silos it travels as one block of bytes
/// (<see cref="Serialization.PteBatchCodec"/>).
/// </summary>
public readonly struct PteBatch(MigrationPte[] ptes)
{
    public MigrationPte[] Ptes { get; } = ptes ?? throw new ArgumentNullException(nameof(ptes));

    public int Count => Ptes.Length;

    public static PteBatch Empty { get; } = new([]);
}
