using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MigrationCluster.Runtime.Telemetry;

/// <summary>The runtime's metrics (meter <see cref="TelemetryNames.RuntimeMeter"/>).</summary>
public sealed class RuntimeInstruments
{
    public static readonly Meter Meter = new(TelemetryNames.RuntimeMeter);

    private static readonly Histogram<double> CallDuration = Meter.CreateHistogram<double>(TelemetryNames.Instruments.CallDuration, "ms", "Grain call latency seen by the caller.");
    private static readonly Counter<long> Calls = Meter.CreateCounter<long>(TelemetryNames.Instruments.Calls, "{call}", "Grain calls completed, by outcome.");
    private static readonly Counter<long> Timeouts = Meter.CreateCounter<long>(TelemetryNames.Instruments.CallTimeouts, "{call}", "Grain calls that timed out.");
    private static readonly UpDownCounter<long> Activations = Meter.CreateUpDownCounter<long>(TelemetryNames.Instruments.Activations, "{activation}", "Live activations.");
    private static readonly Counter<long> ActivationsCreated = Meter.CreateCounter<long>(TelemetryNames.Instruments.ActivationsCreated, "{activation}", "Activations created.");

    public static bool CallMetricsEnabled => CallDuration.Enabled || Calls.Enabled;

    public void OnActivated(string grainType)
    {
        var tag = new KeyValuePair<string, object?>(TelemetryNames.Tags.GrainType, grainType);
        Activations.Add(1, tag);
        ActivationsCreated.Add(1, tag);
    }

    public void OnDeactivated(string grainType) =>
        Activations.Add(-1, new KeyValuePair<string, object?>(TelemetryNames.Tags.GrainType, grainType));

    internal static void RecordCall(string method, double milliseconds, string outcome)
    {
        var tags = new TagList
        {
            { TelemetryNames.Tags.Method, method },
            { TelemetryNames.Tags.Outcome, outcome },
        };
        CallDuration.Record(milliseconds, tags);
        Calls.Add(1, tags);
    }

    internal static void RecordTimeout(string method) =>
        Timeouts.Add(1, new KeyValuePair<string, object?>(TelemetryNames.Tags.Method, method));
}
