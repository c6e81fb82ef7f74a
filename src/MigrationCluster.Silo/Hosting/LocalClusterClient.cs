using System.Reflection;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Silo.Hosting;

/// <summary>
/// Connects a client to a local cluster started by <c>migration-cluster cluster start</c> (what
/// <c>run --cluster DIR</c> needs): key and membership table come from the state directory.
/// </summary>
public static class LocalClusterClient
{
    public static Task<ClusterClient> ConnectAsync(
        string stateDirectory, IEnumerable<Assembly> grainAssemblies, MessagingOptions? messaging = null, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainAssemblies);
        var state = new LocalClusterState(stateDirectory);
        if (!File.Exists(state.MembershipFile))
        {
            throw new SiloUnavailableException($"No cluster in {state.Directory} (no membership.db): start one with 'migration-cluster cluster start --silos N --state-dir {stateDirectory}'.");
        }
        var options = new ClusterClientOptions
        {
            Networking = new NetworkingOptions { ClusterId = LocalClusterState.ClusterId, ClusterKeyBase64 = state.ReadKey() },
            MembershipTable = new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = state.MembershipFile, ClusterId = LocalClusterState.ClusterId }),
            Messaging = messaging ?? new MessagingOptions(),
        };
        foreach (var assembly in grainAssemblies)
        {
            options.GrainAssemblies.Add(assembly);
        }
        return ClusterClient.ConnectAsync(options, loggers, cancellationToken: cancellationToken);
    }
}
