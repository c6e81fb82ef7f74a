namespace MigrationCluster.Experiments;

/// <summary>Where a sweep reports its progress: a progress bar on a terminal, plain lines otherwise.</summary>
public interface IExperimentProgress
{
    void Started(IReadOnlyList<ExperimentPoint> points);

    void PointStarted(ExperimentPoint point);

    void PointFinished(ExperimentPoint point, ExperimentRow row);

    /// <summary>
    /// The running point's machine is being set up (<paramref name="setUp"/>, for
    /// <paramref name="elapsed"/> so far), or no longer (null). Reported only for a set-up longer
    /// than a couple of seconds; shown where progress is drawn in place, ignored by plain lines.
    /// </summary>
    void SettingUp(ExperimentPoint point, Grains.Monitoring.SetUpProgress? setUp, TimeSpan elapsed)
    {
    }

    /// <summary>A line for the user (a stop requested, a point that failed).</summary>
    void Note(string message);
}
