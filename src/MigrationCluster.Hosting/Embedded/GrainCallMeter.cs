using System.Diagnostics.Metrics;
using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// Listens to the <c>MigrationCluster</c> meter's <c>migration.grain.calls</c> counter (recorded by
/// the silos' grain-call counting filter, <c>AddGrainCallCounting()</c>) and sums the calls and
/// those tagged <c>cross_silo</c>. Sees only silos in this process.
/// </summary>
public sealed class GrainCallMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _calls;
    private long _crossSilo;

    public GrainCallMeter()
    {
        // Read before listening: the counter is made by MigrationTelemetry's static initializer,
        // and an instrument published from inside it would not compare equal to a field still unset.
        var counter = MigrationTelemetry.GrainCalls;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, counter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Calls => Interlocked.Read(ref _calls);

    public long CrossSiloCalls => Interlocked.Read(ref _crossSilo);

    /// <summary>Starts counting from zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _crossSilo, 0);
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        Interlocked.Add(ref _calls, value);
        foreach (var tag in tags)
        {
            if (tag.Key == MigrationTelemetry.Tags.CrossSilo && tag.Value is true)
            {
                Interlocked.Add(ref _crossSilo, value);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
