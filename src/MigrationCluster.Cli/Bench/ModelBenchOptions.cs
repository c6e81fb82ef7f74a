using MigrationCluster.Hosting.Admission;

namespace MigrationCluster.Cli.Bench;

/// <summary>Options of <see cref="ModelBench"/>.</summary>
public sealed class ModelBenchOptions
{
    public const int DefaultPages = 1_000_000;
    public const int DefaultLargeModelNodes = 1024;
    public const long DefaultLargeModelPages = 16L * 1024 * 1024;
    public const int DefaultFloorRepetitions = 5;

    /// <summary>Pages migrated from node 0 to node 1.</summary>
    public int Pages { get; set; } = DefaultPages;

    public int LargeModelNodes { get; set; } = DefaultLargeModelNodes;

    /// <summary>Frames of the large model, spread evenly over its nodes; 0 skips that measurement.</summary>
    public long LargeModelPages { get; set; } = DefaultLargeModelPages;

    /// <summary>The floor loop runs this many times; the fastest counts.</summary>
    public int FloorRepetitions { get; set; } = DefaultFloorRepetitions;

    /// <summary>Checks the options: an <see cref="ArgumentException"/> names the option.</summary>
    public void Validate()
    {
        if (Pages < 1)
        {
            throw new ArgumentException($"--pages must be at least 1 (was {Pages})");
        }

        if (LargeModelPages < 0 || (LargeModelPages > 0 && (LargeModelNodes < 1 || LargeModelPages / LargeModelNodes > int.MaxValue)))
        {
            throw new ArgumentException($"--large-model-pages: {LargeModelPages} pages over {LargeModelNodes} nodes is not a valid large model (at most {(long)int.MaxValue * LargeModelNodes:N0})");
        }

        if (FloorRepetitions < 1)
        {
            throw new ArgumentException($"{nameof(ModelBenchOptions)}.{nameof(FloorRepetitions)} must be >= 1, got {FloorRepetitions}");
        }
    }

    /// <summary>Refuses options whose memory, estimated before anything is allocated, is above <paramref name="maxMemory"/>.</summary>
    public void Admit(long maxMemory)
    {
        // Two nodes of Pages frames each (the pages and their new copies), the pages mapped; then the large model's frames.
        MemoryAdmission.Admit($"bench model --pages {Pages}", MemoryAdmission.Estimate(2, Pages, 1, Pages, 1), maxMemory);
        MemoryAdmission.Admit($"bench model --large-model-pages {LargeModelPages}", MemoryAdmission.Estimate(LargeModelNodes, (double)LargeModelPages / LargeModelNodes, 0, 0, 0), maxMemory);
    }
}
