namespace MigrationCluster.Experiments;

/// <summary>No progress to show: a sweep called from code that only wants the results.</summary>
internal sealed class SilentExperimentProgress : IExperimentProgress
{
    public static readonly SilentExperimentProgress Instance = new();

    public void Started(IReadOnlyList<ExperimentPoint> points)
    {
    }

    public void PointStarted(ExperimentPoint point)
    {
    }

    public void PointFinished(ExperimentPoint point, ExperimentRow row)
    {
    }

    public void Note(string message)
    {
    }
}
