using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Experiments;

/// <summary>
/// results.json: the rows of results.csv under the same names, each with its per-step latencies
/// (batches, mean, p50, p99) and its topology; and the command line, the commit, the machine
/// and the options they came from.
/// </summary>
public static class ResultsJsonWriter
{
    public const string FileName = "results.json";

    /// <summary>Distance matrices up to this size are written out; larger ones by their generator and a hash.</summary>
    public const int MaxDistanceMatrixNodes = 64;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Write(string path, ExperimentOptions options, ExperimentSweepResult result, string commit, bool? dirty)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(result);
        var machine = MachineInfo.Capture();
        var topologies = new Dictionary<int, object>();
        var document = new Dictionary<string, object?>
        {
            ["command_line"] = string.Join(' ', options.CommandLine.Select(Quote)),
            ["arguments"] = options.CommandLine,
            ["commit"] = commit,
            ["commit_dirty"] = dirty,
            ["started_at"] = result.StartedAt,
            ["finished_at"] = result.FinishedAt,
            ["points_planned"] = result.Points.Count,
            ["points_done"] = result.Rows.Count,
            ["interrupted"] = result.Interrupted,
            ["error"] = result.Error,
            ["machine"] = new Dictionary<string, object?>
            {
                ["cores"] = machine.ProcessorCount,
                ["memory_bytes"] = machine.TotalMemoryBytes,
                ["runtime"] = machine.Framework,
                ["os"] = machine.OperatingSystem,
                ["architecture"] = machine.Architecture,
                ["server_gc"] = machine.ServerGc,
            },
            ["options"] = new Dictionary<string, object?>
            {
                ["nodes"] = options.Nodes,
                ["silos"] = options.ClusterDirectory is null ? options.Silos : result.Points.Select(p => p.Silos).Distinct(),
                ["cluster"] = options.ClusterDirectory,
                ["topology"] = options.Topology.Name,
                ["machine"] = options.Machine?.Profile.Name ?? "slit",
                ["protocols"] = options.Protocols.Select(Machines.MachineNames.Of).ToArray(),
                ["spaces_per_node"] = options.SpacesPerNode,
                ["pages_per_space"] = options.PagesPerSpace,
                ["tasks_per_space"] = options.TasksPerSpace,
                ["accesses"] = options.Accesses,
                ["workload"] = options.Workload.ToString().ToLowerInvariant(),
                ["mode"] = MigrateNames.Of(options.Mode),
                ["pinned"] = options.Pinned,
                ["repeat"] = options.Repeat,
                ["seed"] = options.Seed,
                ["write_fraction"] = options.WriteFraction,
                ["file_fraction"] = options.FileFraction,
            },
            ["timing_columns"] = ExperimentColumns.All.Where(c => c.Timing).Select(c => c.Name),
            ["peak_memory"] = result.PeakMemoryPerPoint
                ? "peak resident set (VmHWM) of this process over each point, reset before it through /proc/self/clear_refs"
                : "peak resident set of this process since it started (the per-point reset is not available here)",
            ["grain_calls"] = result.GrainCallsMeasured
                ? "migration.grain.calls on the MigrationCluster meter, summed over the point's silos (all in this process)"
                : "not measured: with --cluster the silos are other processes",
            ["points"] = result.Rows.Select(row => Point(row, options, result, topologies)),
        };
        OutputFile.WriteAllText(path, JsonSerializer.Serialize(document, Json));
    }

    private static Dictionary<string, object?> Point(ExperimentRow row, ExperimentOptions options, ExperimentSweepResult result, Dictionary<int, object> topologies)
    {
        var point = new Dictionary<string, object?>();
        foreach (var column in ExperimentColumns.All.Where(c => !c.Name.EndsWith("_p50_ms", StringComparison.Ordinal) && !c.Name.EndsWith("_p99_ms", StringComparison.Ordinal)))
        {
            point[column.Name] = column.Value(row);
        }
        point["steps"] = row.Steps.Select(s => new Dictionary<string, object?>
        {
            ["step"] = s.Step,
            ["name"] = s.Name,
            ["batches"] = s.Batches,
            ["total_ms"] = s.TotalMs,
            ["mean_ms"] = s.MeanMs,
            ["p50_ms"] = s.P50Ms,
            ["p99_ms"] = s.P99Ms,
        });
        if (!topologies.TryGetValue(row.Nodes, out var topology))
        {
            var spec = result.Points.First(p => p.Nodes == row.Nodes).Spec;
            topology = Topology(options.Topology, spec.Distances);
            topologies[row.Nodes] = topology;
        }
        point["topology_detail"] = topology;
        return point;
    }

    private static Dictionary<string, object?> Topology(ExperimentTopology topology, int[][] distances)
    {
        var nodes = distances.Length;
        var remote = distances.SelectMany((row, i) => row.Where((_, j) => j != i)).ToArray();
        var detail = new Dictionary<string, object?>
        {
            ["name"] = topology.Name,
            ["nodes"] = nodes,
            ["file"] = topology.FilePath,
            ["min_remote_distance"] = remote.Length == 0 ? null : remote.Min(),
            ["max_remote_distance"] = remote.Length == 0 ? null : remote.Max(),
            ["distinct_distances"] = distances.SelectMany(r => r).Distinct().Order(),
            ["sha256"] = Hash(distances),
        };
        if (topology.Shape == SlitShape.Sockets)
        {
            detail["nodes_per_socket"] = SlitGenerator.DefaultNodesPerSocket(nodes);
        }
        if (topology.Shape == SlitShape.Mesh)
        {
            detail["mesh_width"] = (int)Math.Ceiling(Math.Sqrt(nodes));
        }
        if (nodes <= MaxDistanceMatrixNodes)
        {
            detail["distances"] = distances;
        }
        else if (topology.Shape is { } shape)
        {
            detail["regenerate"] = $"migration-cluster topology show --generate {topology.Name} --nodes {nodes} --json";
        }
        return detail;
    }

    /// <summary>SHA-256 of the matrix as rows of space-separated distances, one row a line.</summary>
    private static string Hash(int[][] distances)
    {
        var text = string.Join('\n', distances.Select(r => string.Join(' ', r)));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_.,/:=+@".Contains(c, StringComparison.Ordinal)) ? argument : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
