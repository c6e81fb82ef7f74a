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
