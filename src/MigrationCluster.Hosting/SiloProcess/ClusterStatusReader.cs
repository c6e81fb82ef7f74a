using System.Diagnostics;
using MigrationCluster.Clustering.Sqlite;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>Reads a local cluster's membership table and its silos' status files.</summary>
public static class ClusterStatusReader
{
    public static async Task<IReadOnlyList<ClusterSiloInfo>> ReadAsync(LocalClusterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        IMembershipTable table = new SqliteMembershipTable(
            Options.Create(new SqliteClusteringOptions { FilePath = state.MembershipFile }),
            Options.Create(new ClusterOptions { ClusterId = LocalClusterState.ClusterId, ServiceId = LocalClusterState.ClusterId }));
        // With the version row too (version 0, inserted only if missing, as every silo does): a silo may
        // have created the schema a moment ago and not yet its version row, and that is a cluster with no members.
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, CancellationToken.None).ConfigureAwait(false);
        var data = await table.ReadAllAsync(CancellationToken.None).ConfigureAwait(false);
        var silos = new List<ClusterSiloInfo>();
        foreach (var entry in data.Members.Select(m => m.Item1).OrderBy(e => e.StartTime).ThenBy(e => e.SiloName, StringComparer.Ordinal))
        {
            // The status file tells the process and activations of the silo's current incarnation only.
            var status = SiloStatusFile.TryRead(state.StatusFile(entry.SiloName));
            var sameSilo = status is not null && status.Address == entry.SiloAddress.ToString();
            var pid = sameSilo ? status!.ProcessId : 0;
            silos.Add(new ClusterSiloInfo(
                entry.SiloName,
                entry.SiloAddress.ToString(),
                entry.Status.ToString(),
                pid,
                pid != 0 && IsRunning(pid),
                sameSilo && entry.Status == SiloStatus.Active ? status!.Activations : null));
        }
        return silos;
    }

    /// <summary>
    /// Silos whose pid file names a live process but which the table does not list as Active (or
    /// Joining): what `cluster status` shows when the membership file was deleted under them.
    /// </summary>
    public static IReadOnlyList<(string Name, int Pid)> UnlistedProcesses(LocalClusterState state, IReadOnlyList<ClusterSiloInfo> silos)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(silos);
        var unlisted = new List<(string Name, int Pid)>();
        if (!Directory.Exists(state.SilosDirectory))
        {
            return unlisted;
        }
        // Any row names a silo: a Dead row whose process still runs is a silo declared dead that is
        // about to stop itself (Orleans fails fast), not one the table lost.
        var listed = silos.Select(s => s.SiloName).ToHashSet(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(state.SilosDirectory, "*.pid").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            string text;
            try
            {
                text = File.ReadAllText(file).Trim();
            }
            catch (IOException)
            {
                continue; // removed while we looked
            }
            if (!listed.Contains(name) && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && IsRunning(pid))
            {
                unlisted.Add((name, pid));
            }
        }
        return unlisted;
    }

    /// <summary>The rows without the Dead ones of silos that have a later row (they started again since).</summary>
    public static IReadOnlyList<ClusterSiloInfo> WithoutSupersededDeadRows(IReadOnlyList<ClusterSiloInfo> silos)
    {
        ArgumentNullException.ThrowIfNull(silos);
        // Rows come in start order: a Dead row is superseded when its name appears again later.
        return [.. silos.Where((silo, index) => silo.Status != nameof(SiloStatus.Dead) || !silos.Skip(index + 1).Any(later => later.SiloName == silo.SiloName))];
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
