using MigrationCluster.Grains.Monitoring;
using Spectre.Console;

using MigrationCluster.Experiments;

namespace MigrationCluster.Cli.Experiments;

/// <summary>Progress on a terminal: a Spectre.Console bar over the points, with a line above it for each point done.</summary>
public sealed class SpectreExperimentProgress(ProgressContext context, IAnsiConsole console, ExperimentOptions options) : IExperimentProgress
{
    private ProgressTask? _task;
    private int _total;
    private ProgressTask? _setUp;

    public void Started(IReadOnlyList<ExperimentPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        _total = points.Count;
        console.WriteLine(ExperimentConsole.Header(points, options));
        _task = context.AddTask("warming up", maxValue: Math.Max(1, points.Count));
    }

    public void PointStarted(ExperimentPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (_task is not null)
        {
            _task.Description = Markup.Escape($"[{point.Index}/{_total}] {point.Describe()}");
        }
    }

    /// <summary>
    /// A second bar under the point's while its machine is set up (the phase and its processes
    /// done), gone when the set-up is over: the point's own line has no room left for it on an
    /// 80-column terminal.
    /// </summary>
    public void SettingUp(ExperimentPoint point, SetUpProgress? setUp, TimeSpan elapsed)
    {
        if (setUp is null)
        {
            _setUp?.StopTask();
            _setUp = null;
            return;
        }
        _setUp ??= context.AddTask("setting up", maxValue: 1);
        _setUp.MaxValue = Math.Max(1, setUp.Total);
        _setUp.Value = setUp.Done;
        _setUp.Description = Markup.Escape($"  {setUp.Phase}");
    }

    public void PointFinished(ExperimentPoint point, ExperimentRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        console.WriteLine(ExperimentConsole.PointLine(point, _total, row));
        _task?.Increment(1);
    }

    public void Note(string message) => console.MarkupLine($"[yellow]{Markup.Escape(message)}[/]");
}
