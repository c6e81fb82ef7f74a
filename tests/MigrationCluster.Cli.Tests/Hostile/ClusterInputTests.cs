using System.Globalization;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.SiloProcess;

namespace MigrationCluster.Cli.Tests.Hostile;

/// <summary>Cluster commands: bad state directories, certificates and connection strings are bad input, said at once.</summary>
public sealed class ClusterInputTests
{
    [Fact]
    public async Task Status_of_a_directory_without_a_cluster_exits_2_as_run_cluster_does()
    {
        using var directory = new TempDirectory();

        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "status", "--state-dir", directory.Path), "no cluster in");
        HostileAssert.BadInput(await CliProcess.RunAsync("run", "--cluster", directory.Path), "no cluster in");
    }

    [Fact]
    public async Task A_state_directory_under_a_file_is_bad_input()
    {
        using var directory = new TempDirectory();
        var file = directory.Write("file", "x");

        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "start", "--silos", "1", "--state-dir", Path.Combine(file, "state")), "is a regular file, not a directory");
    }

    [Fact]
    public async Task A_garbage_certificate_is_bad_input_for_start_and_for_a_client()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("cluster.pfx"), [.. Enumerable.Range(0, 500).Select(i => (byte)(i * 37))]);
        File.WriteAllBytes(directory.File("membership.db"), []);

        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "start", "--silos", "1", "--state-dir", directory.Path), "cluster.pfx cannot be read");
        HostileAssert.BadInput(await CliProcess.RunAsync("run", "--cluster", directory.Path), "cluster.pfx cannot be read");
        Assert.False(Directory.Exists(directory.File("silos")), "nothing may start");
    }

    [Fact]
    public async Task Init_db_refuses_a_port_out_of_range_before_connecting()
    {
        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "init-db", "--postgres", "Host=127.0.0.1;Port=99999;Username=postgres"), "Port must be 1 to 65535 (was 99999)");
    }

    [Fact]
    public async Task A_client_of_a_cluster_with_no_live_silo_is_refused_at_once()
    {
        using var directory = new TempDirectory();
        var state = new LocalClusterState(directory.Path);
        ClusterCertificate.LoadOrCreate(state.CertificateFile).Dispose();
        File.WriteAllBytes(state.MembershipFile, []);

        HostileAssert.BadInput(await CliProcess.RunAsync("run", "--cluster", directory.Path), "is running");
        HostileAssert.BadInput(await CliProcess.RunAsync("experiment", "--nodes", "2", "--cluster", directory.Path, "--out", directory.File("out")), "is running");
    }

    [Fact]
    public async Task A_second_start_or_stop_while_one_runs_is_refused()
    {
        using var directory = new TempDirectory();
        using var held = StateDirectoryLock.TryAcquire(new LocalClusterState(directory.Path));
        Assert.NotNull(held);

        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "start", "--silos", "1", "--state-dir", directory.Path), "another 'cluster start' or 'cluster stop' is running");
        HostileAssert.BadInput(await CliProcess.RunAsync("cluster", "stop", "--state-dir", directory.Path), "another 'cluster start' or 'cluster stop' is running");
        Assert.False(Directory.Exists(directory.File("silos")), "the refused start must not launch a silo");
    }

    [Fact]
    public async Task Status_says_when_silos_run_that_the_table_does_not_list()
    {
        using var directory = new TempDirectory();
        var state = new LocalClusterState(directory.Path);
        state.EnsureCreated();
        File.WriteAllBytes(state.MembershipFile, []);
        // A live process (this one) with a pid file, and a membership table with no rows: the
        // file was replaced under a running silo.
        File.WriteAllText(state.PidFile("silo-1"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        var result = await CliProcess.RunAsync("cluster", "status", "--state-dir", directory.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"1 silo process(es) run that the membership table does not list as Active (silo-1 pid {Environment.ProcessId})", Assert.Single(result.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public void Dead_rows_of_silos_started_again_are_left_out_of_the_table()
    {
        ClusterSiloInfo Row(string name, string status) => new(name, "127.0.0.1:1", status, 0, false, null);
        IReadOnlyList<ClusterSiloInfo> rows = [Row("silo-1", "Dead"), Row("silo-2", "Dead"), Row("silo-1", "Active"), Row("silo-3", "Dead")];

        var shown = ClusterStatusReader.WithoutSupersededDeadRows(rows);

        Assert.Equal([("silo-2", "Dead"), ("silo-1", "Active"), ("silo-3", "Dead")], shown.Select(r => (r.SiloName, r.Status)));
    }

    [Fact]
    public async Task Cluster_silo_help_prints_its_usage()
    {
        var result = await CliProcess.RunAsync("cluster", "silo", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--state-dir", result.Stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Stderr);
    }
}
