using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Silo.Hosting;

/// <summary>
/// The files of a local cluster in its state directory: the generated cluster key, the SQLite
/// membership table and grain state shared by its silos, and per-silo pid, status and log files.
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

    public string KeyFile => Path.Combine(Directory, "cluster.key");

    public string MembershipFile => Path.Combine(Directory, "membership.db");

    public string GrainStateFile => Path.Combine(Directory, "grain-state.db");

    public string SilosDirectory => Path.Combine(Directory, "silos");

    public string PidFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".pid");

    public string StatusFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".status.json");

    public string LogFile(string siloName) => Path.Combine(SilosDirectory, siloName + ".log");

    /// <summary>Creates the directories, and the key if there is none (readable by the owner only).</summary>
    public void EnsureCreated()
    {
        System.IO.Directory.CreateDirectory(SilosDirectory);
        if (!File.Exists(KeyFile))
        {
            var key = Convert.ToBase64String(NetworkingOptions.GenerateClusterKey());
            var temporary = KeyFile + ".tmp-" + Environment.ProcessId;
            File.WriteAllText(temporary, key);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            try
            {
                File.Move(temporary, KeyFile, overwrite: false);
            }
            catch (IOException)
            {
                // Another process created it first: theirs is the key.
                File.Delete(temporary);
            }
        }
    }

    /// <summary>The cluster key (base64) from <see cref="KeyFile"/>.</summary>
    public string ReadKey() =>
        File.Exists(KeyFile)
            ? File.ReadAllText(KeyFile).Trim()
            : throw new FileNotFoundException($"No cluster key at {KeyFile}: start the cluster with 'migration-cluster cluster start'.", KeyFile);
}
