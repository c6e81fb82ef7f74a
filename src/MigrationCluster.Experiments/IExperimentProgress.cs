namespace MigrationCluster.Experiments;

/// <summary>Where a sweep reports its progress: a progress bar on a terminal, plain lines otherwise.</summary>
public interface IExperimentProgress
{
    void Started(IReadOnlyList<ExperimentPoint> points);

    void PointStarted(ExperimentPoint point);

    void PointFinished(ExperimentPoint point, ExperimentRow row);

    /// <summary>A line for the user (a stop requested, a point that failed).</summary>
    void Note(string message);
}
