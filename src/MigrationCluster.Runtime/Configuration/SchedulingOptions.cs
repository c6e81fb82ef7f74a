namespace MigrationCluster.Runtime.Configuration;

/// <summary>How an activation shares the thread pool.</summary>
public sealed class SchedulingOptions
{
    public const int DefaultMaxWorkItemsPerTurnBatch = 128;

    /// <summary>
    /// An activation runs at most this many queued work items before it yields its thread-pool
    /// thread to others (it is queued again if it has more).
    /// </summary>
    public int MaxWorkItemsPerTurnBatch { get; set; } = DefaultMaxWorkItemsPerTurnBatch;

    public void Validate()
    {
        if (MaxWorkItemsPerTurnBatch < 1)
        {
            throw new OptionsValidationException($"{nameof(SchedulingOptions)}.{nameof(MaxWorkItemsPerTurnBatch)} must be at least 1 (was {MaxWorkItemsPerTurnBatch}).");
        }
    }
}
