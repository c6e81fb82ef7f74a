using System.Runtime.InteropServices;
using OpenTelemetry.Trace;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// A process's tracing from <see cref="MigrationClusterTracing.Start"/>: the TracerProvider and
/// what its OTLP exporters could not deliver. Ends on every exit path with whole files: disposing
/// it (the normal end and a failure) flushes and closes every exporter; SIGINT and SIGTERM flush
/// them before the signal goes on to do what it would; so does the process's exit. At the end
/// (dispose or exit) one line per OTLP exporter that lost spans goes to the report callback.
/// </summary>
public sealed class TraceSession : IDisposable
{
    /// <summary>How long a flush may take when a signal or the process's exit asks for it.</summary>
    public const int SignalFlushTimeoutMilliseconds = 5_000;

    private readonly TracerProvider provider;
    private readonly List<OtlpDelivery> deliveries;
    private readonly Action<string>? reportUndelivered;
    private readonly PosixSignalRegistration[] signals;
    private int stopped;

    internal TraceSession(TracerProvider provider, List<OtlpDelivery> deliveries, Action<string>? reportUndelivered)
    {
        this.provider = provider;
        this.deliveries = deliveries;
        this.reportUndelivered = reportUndelivered;

        // Flush, never cancel: whoever else handles the signal decides whether the process ends.
        signals = OperatingSystem.IsWindows()
            ? []
            : [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    public TracerProvider Provider => provider;

    /// <summary>The OTLP exporters' counts of spans they could not deliver.</summary>
    public IReadOnlyList<OtlpDelivery> OtlpDeliveries => deliveries;

    /// <summary>Exports every finished span now.</summary>
    public bool ForceFlush(int timeoutMilliseconds = Timeout.Infinite) => provider.ForceFlush(timeoutMilliseconds);

    /// <summary>Flushes and closes every exporter, then reports undelivered spans. Once.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        foreach (var signal in signals)
        {
            signal.Dispose();
        }

        Stop(Timeout.Infinite, dispose: true);
    }

    private void Stop(int timeoutMilliseconds, bool dispose)
    {
        if (Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        provider.Shutdown(timeoutMilliseconds);
        if (dispose)
        {
            provider.Dispose();
        }

        foreach (var delivery in deliveries)
        {
            if (delivery.Describe() is { } line)
            {
                reportUndelivered?.Invoke(line);
            }
        }
    }

    private void OnSignal(PosixSignalContext context) => provider.ForceFlush(SignalFlushTimeoutMilliseconds);

    // Bounded, and no Dispose (which waits for the queue to drain): the process's other threads
    // go on making spans while it exits.
    private void OnProcessExit(object? sender, EventArgs e) => Stop(SignalFlushTimeoutMilliseconds, dispose: false);
}
