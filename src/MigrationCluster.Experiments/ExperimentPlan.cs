using MigrationCluster.Hosting;
using MigrationCluster.Grains.Experiments;

namespace MigrationCluster.Experiments;

/// <summary>
/// The points of a sweep in the order they run: repeat by repeat (so a sweep stopped early has
/// every node and silo count of its first repeats), node counts in the order given, then folio
/// sizes, then protocols, then silo counts.
/// </summary>
public static class ExperimentPlan
{
    /// <summary>Every point's spec, checked before any runs; bad input throws <see cref="UsageException"/>.</summary>
    public static IReadOnlyList<ExperimentPoint> Build(ExperimentOptions options, IReadOnlyList<int> silos)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(silos);
        var specs = options.Nodes.SelectMany(n => options.FolioOrders.Select(o => (n, o))).Distinct().ToDictionary(p => p, p => Spec(options, p.n, options.Seed, p.o));
        var points = new List<ExperimentPoint>();
        for (var repeat = 1; repeat <= options.Repeat; repeat++)
        {
            foreach (var nodes in options.Nodes)
            {
                foreach (var order in options.FolioOrders)
                {
                    foreach (var protocol in options.Protocols)
                    {
                        var spec = specs[(nodes, order)] with { Seed = options.SeedOf(repeat), Protocol = protocol };
                        foreach (var count in silos)
                        {
                            points.Add(new ExperimentPoint(points.Count + 1, nodes, count, repeat, options.Machine?.Profile.Name ?? options.Topology.Name, spec));
                        }
                    }
                }
            }
        }
        return points;
    }

    /// <summary>The experiment of one node count: K processes per node, room for every page and its new copy twice over.</summary>
    public static ExperimentSpec Spec(ExperimentOptions options, int nodes, int seed, int folioOrder = 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Machine?.RequireNodes(nodes, "--nodes");
        var distances = options.Machine?.Profile.Distances() ?? options.Topology.Distances(nodes);
        var spaces = options.SpacesPerNode * nodes;
        var frames = (int)Math.Min(int.MaxValue, Math.Max(64, 4L * spaces * options.PagesPerSpace / nodes + 64));
        var spec = new ExperimentSpec(distances, frames, spaces, options.PagesPerSpace, options.FileFraction, options.Workload,
            options.TasksPerSpace, options.Accesses, options.WriteFraction, options.Mode, seed, options.Pinned,
            LocalAccessNs: options.Machine?.Profile.LatencyNs[0][0] ?? ExperimentSpec.DefaultLocalAccessNs,
            Machine: options.Machine?.Profile, FolioOrder: folioOrder);
        if (spec.Validate() is { } problem)
        {
            throw new UsageException($"{nodes} nodes: {problem}");
        }
        return spec;
    }
}
