using System.Text.Json.Serialization;

namespace MigrationCluster.Experiments.Calibration;

/// <summary>One published figure beside the simulated one: relative_error is simulated / published - 1.</summary>
public sealed record CalibrationRow(
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("figure")] string Figure,
    [property: JsonPropertyName("published")] double Published,
    [property: JsonPropertyName("simulated")] double Simulated,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("relative_error")] double RelativeError,
    [property: JsonPropertyName("tolerance")] string Tolerance,
    [property: JsonPropertyName("within")] bool Within);
