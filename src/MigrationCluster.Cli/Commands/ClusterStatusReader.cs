using System.Diagnostics;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Silo.Hosting;

namespace MigrationCluster.Cli.Commands;

/// <summary>Reads a local cluster's membership table and its silos' status files.</summary>
public static class ClusterStatusReader
{
    public static async Task<IReadOnlyList<ClusterSiloInfo>> ReadAsync(LocalClusterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var table = new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = state.MembershipFile, ClusterId = LocalClusterState.ClusterId });
        // With the version row too (version 0, inserted only if missing, as every silo does): a silo may
        // have created the schema a moment ago and not yet its version row, and that is a cluster with no members.
        await table.InitializeMembershipTable(tryInitTableVersion: true).ConfigureAwait(false);
        var data = await table.ReadAll().ConfigureAwait(false);
        var silos = new List<ClusterSiloInfo>();
        foreach (var (entry, _) in data.Members.OrderBy(m => m.Entry.StartTime).ThenBy(m => m.Entry.SiloName, StringComparer.Ordinal))
        {
            var status = SiloStatusFile.TryRead(state.StatusFile(entry.SiloName));
            var sameSilo = status is not null && status.Address == entry.SiloAddress.ToString();
            silos.Add(new ClusterSiloInfo(
                entry.SiloName,
                entry.SiloAddress.ToString(),
                entry.Status.ToString(),
                entry.ProcessId,
                IsRunning(entry.ProcessId),
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
