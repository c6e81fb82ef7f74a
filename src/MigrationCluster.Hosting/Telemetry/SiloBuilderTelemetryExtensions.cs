using Microsoft.Extensions.DependencyInjection;

namespace MigrationCluster.Hosting.Telemetry;

public static class SiloBuilderTelemetryExtensions
{
    /// <summary>Counts the simulation's grain calls, and those that crossed silos (<see cref="GrainCallCounter"/>).</summary>
    public static ISiloBuilder AddGrainCallCounting(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<GrainCallCounter>();
        builder.AddOutgoingGrainCallFilter<GrainCallCounter>();
        builder.AddIncomingGrainCallFilter<GrainCallCounter>();
        return builder;
    }
}
