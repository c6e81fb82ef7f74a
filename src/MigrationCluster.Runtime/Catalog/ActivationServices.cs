using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Telemetry;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>The silo services every activation uses, gathered so that an activation holds one reference.</summary>
internal sealed class ActivationServices(
    Catalog catalog,
    IServiceProvider serviceProvider,
    IGrainFactory grainFactory,
    TimeProvider timeProvider,
    SchedulingOptions scheduling,
    GrainCollectionOptions collection,
    RuntimeInstruments instruments,
    ILogger logger)
{
    public Catalog Catalog { get; } = catalog;

    public IServiceProvider ServiceProvider { get; } = serviceProvider;

    public IGrainFactory GrainFactory { get; } = grainFactory;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public SchedulingOptions Scheduling { get; } = scheduling;

    public GrainCollectionOptions Collection { get; } = collection;

    public RuntimeInstruments Instruments { get; } = instruments;

    public void LogUnhandled(Activation activation, Exception exception) =>
        logger.LogError(exception, "Unhandled exception in {Activation}", activation);

    /// <summary>A timer tick or one-way call failed: nobody awaits its outcome, so the log is the only place it shows.</summary>
    public void LogUnobserved(Activation activation, string what, Exception exception) =>
        logger.LogError(exception, "{What} on {GrainId} failed and nobody awaits it: {Message}", what, activation.GrainId, exception.Message);

    public void LogActivationFailed(Activation activation, Exception exception) =>
        logger.LogWarning(exception, "Activation of {GrainId} failed", activation.GrainId);
}
