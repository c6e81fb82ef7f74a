using MigrationCluster.Experiments;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Hosting.Embedded;

namespace MigrationCluster.Experiments.Tests;

/// <summary>The set-up line a terminal shows while a large machine is built, read from a real silo's machine monitor.</summary>
public sealed class SetUpProgressLineTests
{
    [Fact]
    public async Task The_line_shows_the_monitors_set_up_phase_in_place_and_is_erased_at_the_end()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1);
        var monitor = cluster.GrainFactory.GetMachineMonitor();
        using var writer = new StringWriter();
        var line = SetUpProgressLine.Start(cluster.GrainFactory, writer, TimeProvider.System, TimeSpan.Zero, poll: false);

        // No set-up reported: nothing is shown.
        Assert.Null(await line.PollAsync());
        Assert.Equal(string.Empty, writer.ToString());

        await monitor.ReportSetUp(new SetUpProgress("first touch", 3, 1_600, "processes"));
        var shown = await WaitForLineAsync(line);
        Assert.StartsWith("migration-cluster: setting up: first touch, 3 of 1,600 processes (", shown, StringComparison.Ordinal);
        Assert.EndsWith(" s)", shown, StringComparison.Ordinal);
        // Written in place: a carriage return before it and "erase to the end of the line" after it, no newline.
        Assert.Equal($"\r{shown}\u001b[K", writer.ToString());

        await line.DisposeAsync();
        Assert.EndsWith("\r\u001b[K", writer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\n', writer.ToString());
    }

    [Fact]
    public async Task Followed_each_look_goes_to_the_callback_and_the_last_says_the_set_up_is_over()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SetUpProgress?>();
        var follow = SetUpProgressLine.Follow(cluster.GrainFactory, (setUp, _) => seen.Enqueue(setUp), TimeProvider.System, TimeSpan.Zero);

        await cluster.GrainFactory.GetMachineMonitor().ReportSetUp(new SetUpProgress("first touch", 3, 1_600, "processes"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!seen.Any(s => s is { Phase: "first touch", Done: 3, Total: 1_600 }))
        {
            await Task.Delay(50, timeout.Token);
        }

        await follow.DisposeAsync();
        Assert.Null(seen.Last());
    }

    [Fact]
    public async Task Too_early_nothing_is_shown_and_a_real_runs_migration_clears_the_set_up()
    {
        await using var cluster = await EmbeddedCluster.StartAsync(1);
        using var writer = new StringWriter();
        var line = SetUpProgressLine.Start(cluster.GrainFactory, writer, TimeProvider.System, TimeSpan.FromHours(1), poll: false);
        await cluster.GrainFactory.GetMachineMonitor().ReportSetUp(new SetUpProgress("mapping memory", 1, 2, "processes"));
        Assert.Null(await line.PollAsync());
        Assert.Equal(string.Empty, writer.ToString());

        // A whole run: its set-up is reported phase by phase, and its migration's first report clears it.
        var spec = ExperimentRunner.BuildSpec(new RunOptions { Nodes = 2, AddressSpaces = 2, Pages = 64 });
        await cluster.GrainFactory.GetGrain<MigrationCluster.Grains.Experiments.IExperimentGrain>("run").Run(spec);
        Assert.Null(await cluster.GrainFactory.GetMachineMonitor().GetSetUp());
    }

    private static async Task<string> WaitForLineAsync(SetUpProgressLine line)
    {
        // The report is one-way: it may reach the monitor a moment after the call returns.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (await line.PollAsync() is { } shown)
            {
                return shown;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException("the monitor never answered with the set-up reported to it");
    }
}
