using System.Text.Json.Serialization;

namespace MigrationCluster.Cli.Bench;

/// <summary>Figures of one <see cref="ModelBench"/> run (JSON names in snake_case).</summary>
public sealed record ModelBenchResult
{
    [JsonPropertyName("pages")]
    public required int Pages { get; init; }

    [JsonPropertyName("floor_pages_per_s")]
    public required double FloorPagesPerS { get; init; }

    /// <summary>The process's first migration, from cold code (the JIT's warm-up included), as a one-shot command sees it.</summary>
    [JsonPropertyName("model_pages_per_s")]
    public required double ModelPagesPerS { get; init; }

    /// <summary>Model over floor throughput (1 would be as fast as a bare copy).</summary>
    [JsonPropertyName("ratio")]
    public required double Ratio { get; init; }

    /// <summary>The same pages migrated back in the same process, with the code already JIT-compiled and tiered up.</summary>
    [JsonPropertyName("warm_model_pages_per_s")]
    public required double WarmModelPagesPerS { get; init; }

    [JsonPropertyName("warm_ratio")]
    public required double WarmRatio { get; init; }

    /// <summary>Managed bytes the model holds per page frame (both nodes' frames, page tables, trees).</summary>
    [JsonPropertyName("bytes_per_page")]
    public required double BytesPerPage { get; init; }

    /// <summary>The same bytes divided by the pages the process maps (the migrated pages).</summary>
    [JsonPropertyName("bytes_per_mapped_page")]
    public required double BytesPerMappedPage { get; init; }

    /// <summary>Bytes allocated during the migration, per migrated page (garbage, not held).</summary>
    [JsonPropertyName("allocated_bytes_per_migrated_page")]
    public required double AllocatedBytesPerMigratedPage { get; init; }

    [JsonPropertyName("migrated")]
    public required int Migrated { get; init; }

    [JsonPropertyName("simulated_ns")]
    public required double SimulatedNs { get; init; }

    [JsonPropertyName("large_model_nodes")]
    public required int LargeModelNodes { get; init; }

    [JsonPropertyName("large_model_pages")]
    public required long LargeModelPages { get; init; }

    [JsonPropertyName("large_model_bytes")]
    public required long LargeModelBytes { get; init; }
}
