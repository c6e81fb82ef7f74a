using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Migration;

/// <summary>
/// PTEs of a migration batch (those that map its pages, those try_to_unmap converted, those
/// step 16 restores): a window [<see cref="Start"/>, <see cref="Start"/> + <see cref="Count"/>)
/// of an array. A list of PTEs is a set of facts nobody changes once it is made, so within a silo
/// it is handed over as it is, window and all (the coordinator sends one address space all of a
/// batch's PTEs without copying them out); between silos only the window travels, as one block
/// of bytes (<see cref="Serialization.PteBatchCodec"/>).
/// </summary>
public readonly struct PteBatch
{
    public PteBatch(MigrationPte[] ptes)
        : this(ptes ?? throw new ArgumentNullException(nameof(ptes)), 0, ptes.Length)
    {
    }

    public PteBatch(MigrationPte[] array, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, array.Length - start);
        Array = array;
        Start = start;
        Count = count;
    }

    /// <summary>The array the window lies in.</summary>
    public MigrationPte[] Array { get; }

    public int Start { get; }

    public int Count { get; }

    public ReadOnlySpan<MigrationPte> Ptes => Array.AsSpan(Start, Count);

    /// <summary>Whether the window is its whole array (what travels between silos as it is).</summary>
    public bool IsWholeArray => Start == 0 && Count == Array.Length;

    public static PteBatch Empty { get; } = new([]);
}
