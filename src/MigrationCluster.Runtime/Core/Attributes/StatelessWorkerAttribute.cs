namespace MigrationCluster.Runtime.Core;

/// <summary>
/// The grain keeps no state between calls, so the silo may run several activations of one grain
/// id side by side (at most <see cref="MaxLocalWorkers"/>), each still single-threaded.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class StatelessWorkerAttribute : Attribute
{
    public StatelessWorkerAttribute()
        : this(Environment.ProcessorCount)
    {
    }

    public StatelessWorkerAttribute(int maxLocalWorkers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLocalWorkers, 1);
        MaxLocalWorkers = maxLocalWorkers;
    }

    public int MaxLocalWorkers { get; }
}
