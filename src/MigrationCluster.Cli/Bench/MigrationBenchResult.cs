using System.Text.Json.Serialization;
using MigrationCluster.Experiments;

namespace MigrationCluster.Cli.Bench;

/// <summary>What <c>bench migration</c> measured: medians over its rounds (snake_case JSON).</summary>
public sealed record MigrationBenchResult(
    [property: JsonPropertyName("pages")] int Pages,
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("rounds")] int Rounds,
    [property: JsonPropertyName("warm_up_rounds")] int WarmUpRounds,
    [property: JsonPropertyName("model")] EngineFigures Model,
    [property: JsonPropertyName("one_silo")] EngineFigures OneSilo,
    [property: JsonPropertyName("three_silos")] EngineFigures ThreeSilos,
    [property: JsonPropertyName("one_silo_traced")] EngineFigures OneSiloTraced,
    [property: JsonPropertyName("orleans_ping")] PingFigures OrleansPing,
    [property: JsonPropertyName("scale")] ScaleFigures? Scale,
    [property: JsonPropertyName("machine")] MachineInfo Machine);

/// <summary>One engine's median figures; the per-page counts are null where they do not apply.</summary>
public sealed record EngineFigures(
    [property: JsonPropertyName("pages_per_s")] double PagesPerS,
    [property: JsonPropertyName("ratio_to_model")] double RatioToModel,
    [property: JsonPropertyName("migrated_per_round")] long MigratedPerRound,
    [property: JsonPropertyName("grain_calls_per_page")] double? GrainCallsPerPage,
    [property: JsonPropertyName("cross_silo_calls_per_page")] double? CrossSiloCallsPerPage,
    [property: JsonPropertyName("bytes_allocated_per_page")] double? BytesAllocatedPerPage,
    [property: JsonPropertyName("spans_per_page")] double? SpansPerPage,
    [property: JsonPropertyName("ns_per_span")] double? NsPerSpan,
    [property: JsonPropertyName("rounds_pages_per_s")] IReadOnlyList<double> RoundsPagesPerS);

/// <summary>Orleans' own call rate, the floor the simulation's grain calls ride on.</summary>
public sealed record PingFigures(
    [property: JsonPropertyName("local_calls_per_s")] double LocalCallsPerS,
    [property: JsonPropertyName("remote_calls_per_s")] double RemoteCallsPerS,
    [property: JsonPropertyName("local_sequential_calls_per_s")] double LocalSequentialCallsPerS,
    [property: JsonPropertyName("remote_sequential_calls_per_s")] double RemoteSequentialCallsPerS,
    [property: JsonPropertyName("concurrent_callers")] int ConcurrentCallers);

/// <summary>The scale run: 1,024 node grains on three silos.</summary>
public sealed record ScaleFigures(
    [property: JsonPropertyName("nodes")] int Nodes,
    [property: JsonPropertyName("silos")] int Silos,
    [property: JsonPropertyName("pages")] long Pages,
    [property: JsonPropertyName("build_seconds")] double BuildSeconds,
    [property: JsonPropertyName("migrated")] long Migrated,
    [property: JsonPropertyName("pages_per_s")] double PagesPerS,
    [property: JsonPropertyName("peak_working_set_bytes")] long PeakWorkingSetBytes);
