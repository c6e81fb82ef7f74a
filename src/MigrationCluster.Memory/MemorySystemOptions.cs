using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Memory;

/// <summary>Options of an in-process <see cref="MemorySystem"/>.</summary>
public sealed class MemorySystemOptions
{
    public const int DefaultFramesPerNode = 4096;

    /// <summary>Page frames of every node with memory (nodes of size 0 MB get none).</summary>
    public int FramesPerNode { get; set; } = DefaultFramesPerNode;

    public ContentMode ContentMode { get; set; } = ContentMode.Compact;

    public CostModelOptions Cost { get; set; } = new();

    /// <summary>A described machine to cost on (its own fixed costs replace <see cref="Cost"/>); null: the SLIT-derived model.</summary>
    public Machines.MachineProfile? Machine { get; set; }

    public void Validate()
    {
        if (FramesPerNode < 0)
        {
            throw new ArgumentException($"{nameof(MemorySystemOptions)}.{nameof(FramesPerNode)} must be >= 0, got {FramesPerNode}");
        }

        ArgumentNullException.ThrowIfNull(Cost);
        Cost.Validate();
    }
}
