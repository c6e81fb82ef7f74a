namespace MigrationCluster.Runtime.Timers;

/// <summary>A timer owned by an activation; disposed with it.</summary>
public interface IGrainTimer : IDisposable
{
    /// <summary>Changes when the next tick is due and the period after it.</summary>
    void Change(TimeSpan dueTime, TimeSpan period);
}
