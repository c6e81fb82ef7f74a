using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Silo.Hosting;

/// <summary>
/// A silo process's settings: section <c>Silo</c> of <c>appsettings.json</c>, environment variables
/// <c>MIGRATIONCLUSTER_Silo__Name=value</c>, and the command line (<c>--Silo:Name value</c>, or the
/// short switches in <see cref="SiloHost.SwitchMappings"/>).
/// </summary>
public sealed class SiloProcessOptions
{
    public const string SectionName = "Silo";
    public const string SqliteProvider = "sqlite";
    public const string PostgresProvider = "postgres";

    public string ClusterId { get; set; } = LocalClusterState.ClusterId;

    public string? SiloName { get; set; }

    /// <summary>A local cluster's state directory: key, membership.db, grain-state.db and this silo's pid/status files.</summary>
    public string? StateDir { get; set; }

    /// <summary>The cluster key (base64); read from the state directory's <c>cluster.key</c> when not set.</summary>
    public string? ClusterKey { get; set; }

    public string ListenAddress { get; set; } = NetworkingOptions.DefaultListenAddress;

    public int ListenPort { get; set; } = NetworkingOptions.DefaultListenPort;

    /// <summary><c>sqlite</c> (a file shared by the silos) or <c>postgres</c>.</summary>
    public string MembershipProvider { get; set; } = SqliteProvider;

    /// <summary>The SQLite membership file (default: the state directory's) or the PostgreSQL connection string.</summary>
    public string? MembershipConnection { get; set; }

    /// <summary>SQLite grain state shared by the silos (default: the state directory's <c>grain-state.db</c>).</summary>
    public string? GrainStateFile { get; set; }

    /// <summary>Trace export: <c>none</c>, <c>console</c>, <c>otlp</c>, <c>jsonl:PATH</c> (comma-separated).</summary>
    public string Traces { get; set; } = "none";

    public TimeSpan ProbeTimeout { get; set; } = ClusterMembershipOptions.DefaultProbeTimeout;

    public int NumMissedProbesLimit { get; set; } = ClusterMembershipOptions.DefaultNumMissedProbesLimit;

    public int NumVotesForDeathDeclaration { get; set; } = ClusterMembershipOptions.DefaultNumVotesForDeathDeclaration;

    public TimeSpan IAmAliveTablePublishTimeout { get; set; } = ClusterMembershipOptions.DefaultIAmAliveTablePublishTimeout;

    public TimeSpan TableRefreshTimeout { get; set; } = ClusterMembershipOptions.DefaultTableRefreshTimeout;

    public TimeSpan ResponseTimeout { get; set; } = Runtime.Configuration.MessagingOptions.DefaultResponseTimeout;

    public LocalClusterState? State => string.IsNullOrWhiteSpace(StateDir) ? null : new LocalClusterState(StateDir);

    public ClusterMembershipOptions ToMembershipOptions() => new()
    {
        ProbeTimeout = ProbeTimeout,
        NumMissedProbesLimit = NumMissedProbesLimit,
        NumVotesForDeathDeclaration = NumVotesForDeathDeclaration,
        IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout,
        TableRefreshTimeout = TableRefreshTimeout,
    };

    /// <summary>Throws <see cref="ArgumentException"/> with a one-line message naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId))
        {
            throw new ArgumentException("Silo:ClusterId is required.");
        }
        if (MembershipProvider is not (SqliteProvider or PostgresProvider))
        {
            throw new ArgumentException($"Silo:MembershipProvider must be '{SqliteProvider}' or '{PostgresProvider}' (was '{MembershipProvider}').");
        }
        if (MembershipProvider == PostgresProvider && string.IsNullOrWhiteSpace(MembershipConnection))
        {
            throw new ArgumentException("Silo:MembershipConnection (a PostgreSQL connection string) is required with the postgres provider.");
        }
        if (MembershipProvider == SqliteProvider && string.IsNullOrWhiteSpace(MembershipConnection) && State is null)
        {
            throw new ArgumentException("Silo:StateDir or Silo:MembershipConnection (the SQLite membership file) is required.");
        }
        if (string.IsNullOrWhiteSpace(ClusterKey) && State is null)
        {
            throw new ArgumentException("Silo:ClusterKey (base64) or Silo:StateDir (with cluster.key) is required.");
        }
        _ = TraceExportOptionsOf(this);
        ToMembershipOptions().Validate();
        if (ResponseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Silo:ResponseTimeout must be positive (was {ResponseTimeout}).");
        }
    }

    internal static Telemetry.TraceExportOptions TraceExportOptionsOf(SiloProcessOptions options)
    {
        try
        {
            return Telemetry.TraceExportOptions.Parse(options.Traces);
        }
        catch (Telemetry.TraceExportOptionException exception)
        {
            throw new ArgumentException($"Silo:Traces: {exception.Message}", exception);
        }
    }

    /// <summary>For the start-up log line: the key is redacted.</summary>
    public override string ToString() =>
        $"ClusterId={ClusterId}, SiloName={SiloName}, StateDir={StateDir}, ClusterKey={(string.IsNullOrEmpty(ClusterKey) ? "<from state dir>" : "<redacted>")}, " +
        $"Listen={ListenAddress}:{ListenPort}, Membership={MembershipProvider}, GrainStateFile={GrainStateFile}, Traces={Traces}, ProbeTimeout={ProbeTimeout}, " +
        $"NumMissedProbesLimit={NumMissedProbesLimit}, NumVotesForDeathDeclaration={NumVotesForDeathDeclaration}, IAmAliveTablePublishTimeout={IAmAliveTablePublishTimeout}, " +
        $"TableRefreshTimeout={TableRefreshTimeout}, ResponseTimeout={ResponseTimeout}";
}
