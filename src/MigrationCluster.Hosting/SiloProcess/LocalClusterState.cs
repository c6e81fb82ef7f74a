namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// The files of a local cluster in its state directory: the SQLite membership table its silos
/// share, the cluster's TLS certificate, and per-silo pid, status and log files.
/// </summary>
public sealed class LocalClusterState
{
    public const string DefaultDirectory = ".state/cluster";
    public const string ClusterId = "local";

    public LocalClusterState(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    public string Directory { get; }

    public string MembershipFile => Path.Combine(Directory, "membership.db");

    /// <summary>The cluster's certificate and key (PKCS#12, owner-only): every silo and client presents it.</summary>
    public string CertificateFile => Path.Combine(Directory, "cluster.pfx");

    public string SilosDirectory => Path.Combine(Directory, "silos");

    public string PidFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".pid");

    public string StatusFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".status.json");

    public string LogFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".log");

    /// <summary>Creates the directories.</summary>
    public void EnsureCreated() => System.IO.Directory.CreateDirectory(SilosDirectory);
}
