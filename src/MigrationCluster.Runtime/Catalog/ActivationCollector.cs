using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;

namespace MigrationCluster.Runtime.Catalog;

/// <summary>Every collection quantum, deactivates the activations idle for longer than their collection age.</summary>
internal sealed class ActivationCollector : IDisposable
{
    private static readonly DeactivationReason IdleReason = new(DeactivationReasonCode.ActivationIdle, "Idle for longer than the collection age.");
    private readonly Catalog _catalog;
    private readonly GrainCollectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ITimer _timer;

    public ActivationCollector(Catalog catalog, GrainCollectionOptions options, TimeProvider timeProvider)
    {
        _catalog = catalog;
        _options = options;
        _timeProvider = timeProvider;
        _timer = timeProvider.CreateTimer(static s => ((ActivationCollector)s!).Collect(), this, options.CollectionQuantum, options.CollectionQuantum);
    }

    /// <summary>One pass; returns how many activations it asked to deactivate.</summary>
    public int Collect()
    {
        var now = _timeProvider.GetTimestamp();
        var collected = 0;
        foreach (var activation in _catalog.GetActivations())
        {
            var age = activation.ClassInfo.CollectionAge ?? _options.CollectionAge;
            var idleSince = now - (long)(age.TotalSeconds * _timeProvider.TimestampFrequency);
            if (activation.TryDeactivateIfIdle(idleSince, IdleReason))
            {
                collected++;
            }
        }
        return collected;
    }

    public void Dispose() => _timer.Dispose();
}
