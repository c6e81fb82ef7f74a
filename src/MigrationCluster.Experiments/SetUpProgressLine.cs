using System.Globalization;
using MigrationCluster.Grains.Monitoring;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Experiments;

/// <summary>
/// One line on a terminal while a run's machine is being built (a large machine takes a while
/// before its migration starts): <c>setting up: first touch, 12 of 64 processes (8 s)</c>,
/// rewritten in place from the machine monitor twice a second and erased when the set-up is over
/// or the run ends. Only on a terminal: a redirected stderr gets nothing, so scripts and logs see
/// no extra line. <see cref="Follow"/> hands each look to a callback instead (an experiment's
/// progress bar shows the point's set-up in its own line).
/// </summary>
public sealed class SetUpProgressLine : IAsyncDisposable
{
    /// <summary>A set-up shorter than this shows nothing.</summary>
    public static readonly TimeSpan DefaultShowAfter = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    // Carriage return, then the line, then "erase to the end of the line" (a shorter line leaves no tail).
    private const string EraseToEnd = "\u001b[K";

    private readonly IMachineMonitorGrain _monitor;
    private readonly Action<SetUpProgress?, TimeSpan> _report;
    private readonly TimeProvider _time;
    private readonly TimeSpan _showAfter;
    private readonly long _started;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private SetUpProgressLine(IGrainFactory grains, Action<SetUpProgress?, TimeSpan> report, TimeProvider time, TimeSpan showAfter)
    {
        _monitor = grains.GetMachineMonitor();
        _report = report;
        _time = time;
        _showAfter = showAfter;
        _started = time.GetTimestamp();
    }

    /// <summary>The line on this process's stderr when it is a terminal; null (nothing shown) when it is redirected.</summary>
    public static SetUpProgressLine? StartOnTerminal(IGrainFactory grains) =>
        Console.IsErrorRedirected ? null : Start(grains, Console.Error, TimeProvider.System, DefaultShowAfter, poll: true);

    /// <summary>A line on <paramref name="writer"/>; with <paramref name="poll"/> it updates itself every <see cref="Period"/>.</summary>
    public static SetUpProgressLine Start(IGrainFactory grains, TextWriter writer, TimeProvider time, TimeSpan showAfter, bool poll)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(time);
        // What the terminal shows now: a line to erase, or none.
        var shown = false;
        var line = new SetUpProgressLine(grains, (progress, elapsed) => shown = Write(writer, Describe(progress, elapsed), shown), time, showAfter);
        if (poll)
        {
            line._loop = line.PollUntilStoppedAsync();
        }
        return line;
    }

    /// <summary>
    /// Every <see cref="Period"/>, the set-up in progress (null when none, or before
    /// <paramref name="showAfter"/>) and the time since the start, to <paramref name="report"/>;
    /// a last null when disposed.
    /// </summary>
    public static SetUpProgressLine Follow(IGrainFactory grains, Action<SetUpProgress?, TimeSpan> report, TimeProvider time, TimeSpan showAfter)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(time);
        var line = new SetUpProgressLine(grains, report, time, showAfter);
        line._loop = line.PollUntilStoppedAsync();
        return line;
    }

    /// <summary>The line for <paramref name="progress"/> after <paramref name="elapsed"/>, or null for no set-up in progress.</summary>
    public static string? Describe(SetUpProgress? progress, TimeSpan elapsed) => progress is null
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"migration-cluster: setting up: {progress.Phase}, {progress.Done:N0} of {progress.Total:N0} {progress.Unit} ({elapsed.TotalSeconds:0} s)");

    /// <summary>One look at the monitor: shows (or erases) the line and returns what is shown now.</summary>
    public async Task<string?> PollAsync()
    {
        SetUpProgress? progress;
        try
        {
            progress = await _monitor.GetSetUp().WaitAsync(Period * 4).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException)
        {
            // The run's own call says what is wrong with the cluster; the line just waits.
            return null;
        }
        var elapsed = _time.GetElapsedTime(_started);
        var shown = elapsed < _showAfter ? null : progress;
        _report(shown, elapsed);
        return Describe(shown, elapsed);
    }

    private async Task PollUntilStoppedAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(Period, _time, _stop.Token).ConfigureAwait(false);
                await PollAsync().ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the run is over.
        }
    }

    /// <summary>Writes <paramref name="line"/> in place, or erases the one <paramref name="shown"/>; returns whether a line is shown now.</summary>
    private static bool Write(TextWriter writer, string? line, bool shown)
    {
        if (line is not null)
        {
            writer.Write($"\r{line}{EraseToEnd}");
        }
        else if (shown)
        {
            writer.Write($"\r{EraseToEnd}");
        }
        writer.Flush();
        return line is not null;
    }

    /// <summary>Stops updating and erases the line, leaving the terminal as it was.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _report(null, _time.GetElapsedTime(_started));
        _stop.Dispose();
    }
}
