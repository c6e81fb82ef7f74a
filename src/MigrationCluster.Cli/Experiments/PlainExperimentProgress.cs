using MigrationCluster.Experiments;

namespace MigrationCluster.Cli.Experiments;

/// <summary>Progress as plain lines (output redirected to a file or a pipe): one when a point starts, one when it ends.</summary>
public sealed class PlainExperimentProgress(TextWriter output, ExperimentOptions options) : IExperimentProgress
{
    private int _total;

    public void Started(IReadOnlyList<ExperimentPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        _total = points.Count;
        Write(ExperimentConsole.Header(points, options));
    }

    public void PointStarted(ExperimentPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        Write($"[{point.Index}/{_total}] {point.Describe()}: running");
    }

    public void PointFinished(ExperimentPoint point, ExperimentRow row) => Write(ExperimentConsole.PointLine(point, _total, row));

    public void Note(string message) => Write(message);

    private void Write(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
