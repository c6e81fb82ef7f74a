namespace MigrationCluster.Dashboard;

/// <summary>What the machine's page says about the cluster it shows, and where it links to.</summary>
public sealed class MigrationClusterDashboardOptions
{
    public const string DefaultClusterName = "the Orleans cluster";

    /// <summary>The cluster in words, for the page's header.</summary>
    public string ClusterName { get; set; } = DefaultClusterName;

    /// <summary>A Jaeger UI (e.g. <c>http://127.0.0.1:16686/</c>): each migrate_pages call links to its trace there; null for no links.</summary>
    public Uri? Jaeger { get; set; }
}
