using MigrationCluster.Hosting.Telemetry;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// What a silo process needs besides Orleans' own options (cluster identity, endpoints,
/// clustering and failure detection come from the <c>Orleans</c> section, or from their
/// <see cref="SiloSettingAliases"/>): section <c>Silo</c> of <c>appsettings.json</c>, environment
/// variables <c>MIGRATIONCLUSTER_Silo__Name=value</c>, and the command line (<c>--Silo:Name value</c>,
/// or the short switches in <see cref="SiloHost.SwitchMappings"/>). Checked by <see cref="SiloProcessOptionsValidator"/>.
/// </summary>
public sealed class SiloProcessOptions
{
    public const string SectionName = "Silo";

    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A local cluster's state directory: this silo's pid/status files, the cluster's certificate,
    /// and with the Sqlite provider the default membership file (<c>membership.db</c>).
    /// </summary>
    public string? StateDir { get; set; }

    /// <summary>
    /// The cluster's TLS certificate (PKCS#12 with its key). Default: the state directory's, made
    /// there if missing; with neither, connections are plain TCP (a warning is logged).
    /// </summary>
    public string? TlsCertificateFile { get; set; }

    /// <summary>Trace export: <c>none</c>, <c>console</c>, <c>otlp</c>, <c>jsonl:PATH</c> (comma-separated).</summary>
    public string Traces { get; set; } = "none";

    /// <summary>
    /// The grain side of Orleans' dashboard (<c>AddDashboard()</c>), so <c>migration-cluster dashboard</c>
    /// can show the cluster: on by default in a silo process; <c>Silo:Dashboard=false</c> saves its
    /// call filter (it times every grain call while someone watches).
    /// </summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>How long the silo may take to join the cluster before it gives up (exit 1).</summary>
    public TimeSpan StartTimeout { get; set; } = DefaultStartTimeout;

    public LocalClusterState? State => string.IsNullOrWhiteSpace(StateDir) ? null : new LocalClusterState(StateDir);

    /// <summary>The certificate file in force: <see cref="TlsCertificateFile"/>, else the state directory's, else none.</summary>
    public string? EffectiveCertificateFile => TlsCertificateFile ?? State?.CertificateFile;

    /// <summary>The exporters <see cref="Traces"/> names (after validation).</summary>
    public TraceExportOptions TraceExport => TraceExportOptions.Parse(Traces);

    /// <summary>For the start-up log line.</summary>
    public override string ToString() =>
        $"StateDir={StateDir}, Tls={EffectiveCertificateFile ?? "off"}, Traces={Traces}, Dashboard={Dashboard}, StartTimeout={StartTimeout}";
}
