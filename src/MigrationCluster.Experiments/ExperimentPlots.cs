using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Migration;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MigrationCluster.Experiments;

/// <summary>
/// The sweep's plots, drawn with ScottPlot 5: migration throughput against node count (a line per
/// silo count, error bars of one standard deviation over repeats), the mean time of a batch in each
/// protocol step stacked by step against node count, the simulated access latency before, during
/// and after the migration against node count, and the share of grain calls that crossed silos
/// against silo count. Node counts sit on a log2 axis.
/// </summary>
public static class ExperimentPlots
{
    public const string DirectoryName = "plots";
    public const int Width = 900;
    public const int Height = 500;

    private static readonly IPalette Lines = new ScottPlot.Palettes.Category10();
    private static readonly IPalette Steps = new ScottPlot.Palettes.Category20();

    /// <summary>Draws every plot, writes each as PNG and SVG under <paramref name="directory"/>, and returns them.</summary>
    public static IReadOnlyList<ExperimentPlot> Write(string directory, IReadOnlyList<ExperimentRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Directory.CreateDirectory(directory);
        var plots = new List<ExperimentPlot>();
        foreach (var (name, title, caption, plot) in Draw(rows))
        {
            OutputFile.WriteVia(Path.Combine(directory, name + ".png"), temporary => plot.SavePng(temporary, Width, Height));
            OutputFile.WriteVia(Path.Combine(directory, name + ".svg"), temporary => plot.SaveSvg(temporary, Width, Height));
            plots.Add(new ExperimentPlot(name, title, caption, plot.GetSvgXml(Width, Height)));
        }
        return plots;
    }

    private static IEnumerable<(string Name, string Title, string Caption, Plot Plot)> Draw(IReadOnlyList<ExperimentRow> rows)
    {
        if (rows.Count == 0)
        {
            yield break;
        }
        yield return ("sim_pages_per_s", "Migration throughput (simulated)",
            "Pages migrated per second of the simulated machine's time (the migration's simulated duration: its longest migrate_pages call), mean over repeats; a line per silo count (they coincide: simulated results do not depend on the silos).",
            Throughput(rows, "Migration throughput (simulated machine)", "pages/s (simulated)", r => r.SimPagesPerSecond));
        if (rows.Select(r => r.Protocol).Distinct().Count() > 1)
        {
            yield return ("sim_tlb_ipis", "TLB shootdown IPIs (simulated)",
                "IPIs sent by the migration's TLB shootdowns: per page (before Linux 6.3) every unmapped PTE is flushed at once, batched (6.3 and later) one flush covers a batch of up to 512 pages; a line per protocol.",
                Throughput(rows, "TLB shootdown IPIs per migration (simulated)", "IPIs", r => r.TlbIpis));
        }
        yield return ("sim_step_time", "Per-step time (simulated)",
            "Mean simulated time of one batch in each protocol step, stacked by step (kernel function names); a bar per silo count at each node count.",
            StepLatency(rows, "Per-step simulated time, stacked by step", "ns per batch (simulated, mean)", (r, step) => r.SimStep(step) is { } s && s.BatchNs.Length > 0 ? (double)s.TotalNs / s.BatchNs.Length : null));
        yield return ("pages_per_s", "The simulator's speed",
            "Pages the simulator migrated per second of host wall time: a figure about this host and Orleans, not the simulated machine; mean over repeats with one standard deviation; a line per silo count.",
            Throughput(rows, "The simulator's speed (host wall clock)", "pages/s (host)", r => r.PagesPerSecond));
        yield return ("step_latency", "The simulator's per-step time",
            "Mean host wall-clock time of one batch in each protocol step, stacked by step: the simulator's cost, not the machine's.",
            StepLatency(rows, "The simulator's per-step time (host wall clock), stacked by step", "ms per batch (host, mean)", (r, step) => r.Step(step)?.MeanMs));
        yield return ("access_latency", "Access latency",
            "Mean simulated access latency of the tasks before the migration (memory remote), during it, and after it; mean over silo counts and repeats.",
            AccessLatency(rows));
        yield return ("cross_silo_fraction", "Cross-silo grain calls",
            "Share of the simulation's grain calls whose caller ran on another silo, against the silo count; a line per node count.",
            CrossSilo(rows));
    }

    private static Plot Throughput(IReadOnlyList<ExperimentRow> rows, string title, string unit, Func<ExperimentRow, double> value)
    {
        var plot = NewPlot(title, "NUMA nodes", unit);
        // A line per silo count, and per protocol when the sweep has both.
        var series = rows.Select(r => (r.Silos, r.Protocol)).Distinct().Order().ToArray();
        var protocols = series.Select(s => s.Protocol).Distinct().Count();
        for (var i = 0; i < series.Length; i++)
        {
            var points = rows.Where(r => (r.Silos, r.Protocol) == series[i]).GroupBy(r => r.Nodes).OrderBy(g => g.Key)
                .Select(g => (X: Log2(g.Key), Stats: Stats(g.Select(value)))).ToArray();
            var label = series[i].Silos == 1 ? "1 silo" : $"{series[i].Silos} silos";
            AddMeanLine(plot, [.. points.Select(p => p.X)], [.. points.Select(p => p.Stats)], Lines.GetColor(i), protocols > 1 ? $"{label}, {series[i].Protocol}" : label);
        }
        NodeAxis(plot, rows);
        FromZero(plot);
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static Plot StepLatency(IReadOnlyList<ExperimentRow> rows, string title, string unit, Func<ExperimentRow, int, double?> perBatch)
    {
        var plot = NewPlot(title, "NUMA nodes", unit);
        var silos = rows.Select(r => r.Silos).Distinct().Order().ToArray();
        var steps = MigrationSteps.InOrder.Where(s => rows.Any(r => perBatch(r, s.Number()) is not null)).ToArray();
        var width = 0.8 / silos.Length;
        var bars = new List<Bar>();
        foreach (var group in rows.GroupBy(r => (r.Nodes, r.Silos)))
        {
            var x = Log2(group.Key.Nodes) - 0.4 + width * (Array.IndexOf(silos, group.Key.Silos) + 0.5);
            var stacked = 0.0;
            for (var s = 0; s < steps.Length; s++)
            {
                var mean = group.Average(r => perBatch(r, steps[s].Number()) ?? 0);
                bars.Add(new Bar { Position = x, ValueBase = stacked, Value = stacked + mean, Size = width * 0.9, FillColor = Steps.GetColor(s), LineWidth = 0 });
                stacked += mean;
            }
        }
        plot.Add.Bars(bars);
        for (var s = 0; s < steps.Length; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = $"{steps[s].Number()} {steps[s].KernelName()}", FillColor = Steps.GetColor(s) });
        }
        NodeAxis(plot, rows);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Right);
        if (silos.Length > 1)
        {
            plot.Title($"{title} (bars: {string.Join(", ", silos)} silos)");
        }
        return plot;
    }

    private static Plot AccessLatency(IReadOnlyList<ExperimentRow> rows)
    {
        var plot = NewPlot("Simulated access latency", "NUMA nodes", "ns per access (simulated)");
        var byNodes = rows.GroupBy(r => r.Nodes).OrderBy(g => g.Key).ToArray();
        var xs = byNodes.Select(g => Log2(g.Key)).ToArray();
        // Solid lines told apart by colour and marker: Skia's SVG backend cannot draw dashes.
        var series = new (string Label, Func<ExperimentRow, double> Value, Color Color, MarkerShape Marker)[]
        {
            ("before (memory remote)", r => r.LatencyBeforeNs, Lines.GetColor(3), MarkerShape.FilledCircle),
            ("during the migration", r => r.LatencyDuringNs, Lines.GetColor(1), MarkerShape.FilledTriangleUp),
            ("after", r => r.LatencyAfterNs, Lines.GetColor(2), MarkerShape.FilledSquare),
        };
        foreach (var (label, value, color, marker) in series)
        {
            AddMeanLine(plot, xs, [.. byNodes.Select(g => Stats(g.Select(value)))], color, label).MarkerShape = marker;
        }
        NodeAxis(plot, rows);
        FromZero(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot CrossSilo(IReadOnlyList<ExperimentRow> rows)
    {
        var plot = NewPlot("Cross-silo grain calls", "silos", "share of grain calls crossing silos");
        var measured = rows.Where(r => r.CrossSiloFraction is not null).ToArray();
        var silos = rows.Select(r => r.Silos).Distinct().Order().ToArray();
        var nodes = measured.Select(r => r.Nodes).Distinct().Order().ToArray();
        for (var i = 0; i < nodes.Length; i++)
        {
            var points = measured.Where(r => r.Nodes == nodes[i]).GroupBy(r => r.Silos).OrderBy(g => g.Key)
                .Select(g => (X: (double)g.Key, Stats: Stats(g.Select(r => r.CrossSiloFraction!.Value)))).ToArray();
            AddMeanLine(plot, [.. points.Select(p => p.X)], [.. points.Select(p => p.Stats)], Lines.GetColor(i), $"{nodes[i]} nodes");
        }
        if (nodes.Length == 0)
        {
            var note = plot.Add.Text("grain calls not measured (--cluster: the silos are other processes)", silos[0], 0.5);
            note.LabelFontSize = 14;
        }
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. silos.Select(s => (double)s)], [.. silos.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(silos[0] - 0.5, silos[^1] + 0.5);
        plot.Axes.SetLimitsY(0, 1);
        if (nodes.Length > 0)
        {
            plot.ShowLegend(Edge.Right);
        }
        return plot;
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    /// <summary>Node counts on a log2 axis labelled with the counts themselves.</summary>
    private static void NodeAxis(Plot plot, IReadOnlyList<ExperimentRow> rows)
    {
        var nodes = rows.Select(r => r.Nodes).Distinct().Order().ToArray();
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. nodes.Select(n => Log2(n))], [.. nodes.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsX(Log2(nodes[0]) - 0.6, Log2(nodes[^1]) + 0.6);
    }

    /// <summary>The vertical axis from 0 to a little above the highest value, so heights compare.</summary>
    private static void FromZero(Plot plot)
    {
        plot.Axes.AutoScaleY();
        var top = plot.Axes.GetLimits().Top;
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.08 : 1);
    }

    private static double Log2(int nodes) => Math.Log2(nodes);

    /// <summary>Mean and sample standard deviation (0 for a single value).</summary>
    /// <summary>A line through the means, with one standard deviation as error bars, in one colour.</summary>
    private static ScottPlot.Plottables.Scatter AddMeanLine(Plot plot, double[] xs, (double Mean, double StdDev)[] stats, Color color, string label)
    {
        var ys = stats.Select(s => s.Mean).ToArray();
        var line = plot.Add.Scatter(xs, ys, color);
        line.LegendText = label;
        line.LineWidth = 2;
        line.MarkerSize = 7;
        var errors = plot.Add.ErrorBar(xs, ys, stats.Select(s => s.StdDev).ToArray());
        errors.Color = color;
        return line;
    }

    private static (double Mean, double StdDev) Stats(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0)
        {
            return (0, 0);
        }
        var mean = v.Average();
        var variance = v.Length > 1 ? v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1) : 0;
        return (mean, Math.Sqrt(variance));
    }
}
