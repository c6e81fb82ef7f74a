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

    public void Validate()
    {
        if (Pages < 1)
        {
            throw new ArgumentException($"{nameof(ModelBenchOptions)}.{nameof(Pages)} must be >= 1, got {Pages}");
        }

        if (LargeModelPages < 0 || (LargeModelPages > 0 && (LargeModelNodes < 1 || LargeModelPages / LargeModelNodes > int.MaxValue)))
        {
            throw new ArgumentException($"{nameof(ModelBenchOptions)}: {LargeModelPages} pages over {LargeModelNodes} nodes is not a valid large model");
        }

        if (FloorRepetitions < 1)
        {
            throw new ArgumentException($"{nameof(ModelBenchOptions)}.{nameof(FloorRepetitions)} must be >= 1, got {FloorRepetitions}");
        }
    }
}
