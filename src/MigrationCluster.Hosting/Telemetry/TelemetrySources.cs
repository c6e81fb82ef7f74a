using MigrationCluster.Grains.Migration;

namespace MigrationCluster.Hosting.Telemetry;

/// <summary>
/// The activity sources and meters a run can be traced and measured with: Orleans' own and the
/// migration's. The migration's span, tag and metric names are in <see cref="MigrationTelemetry"/>.
/// </summary>
public static class TelemetrySources
{
    /// <summary>Orleans' spans of application grain calls (<c>IFooGrain/Method</c>, client and server).</summary>
    public const string OrleansApplication = "Microsoft.Orleans.Application";

    /// <summary>Orleans' spans of its own system calls (membership, directory): only on request, it is chatter.</summary>
    public const string OrleansRuntime = "Microsoft.Orleans.Runtime";

    /// <summary>The protocol: <c>migrate_pages</c>, passes, <c>unmap_and_move</c> and one span per step.</summary>
    public const string Migration = MigrationTelemetry.ActivitySourceName;

    /// <summary>Orleans' meter (grain calls, messaging, activations).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The kernel's vmstat counters and the step durations.</summary>
    public const string MigrationMeter = MigrationTelemetry.MeterName;

    /// <summary>What a traced run listens to: the migration and the application's grain calls.</summary>
    public static IReadOnlyList<string> Default { get; } = [Migration, OrleansApplication];

    /// <summary>As <see cref="Default"/>, plus Orleans' runtime chatter.</summary>
    public static IReadOnlyList<string> WithOrleansRuntime { get; } = [Migration, OrleansApplication, OrleansRuntime];
}
