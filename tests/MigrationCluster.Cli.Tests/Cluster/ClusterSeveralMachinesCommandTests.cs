using MigrationCluster.Hosting.Security;

namespace MigrationCluster.Cli.Tests.Cluster;

/// <summary>The command's side of a cluster on several machines: the certificate naming its hosts, and the client directory.</summary>
public sealed class ClusterSeveralMachinesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mc-several-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Cluster_certificate_with_hosts_names_them_and_prints_the_fingerprint()
    {
        var path = Path.Combine(_directory, "cluster.pfx");

        var (exitCode, stdout, stderr) = await ClusterCliProcess.RunAsync("cluster", "certificate", "--out", path, "--hosts", "10.0.0.11,10.0.0.12,silo-3.lab.example");

        Assert.True(exitCode == 0, stderr);
        using var certificate = ClusterCertificate.Load(path);
        Assert.Equal(new[] { "10.0.0.11", "10.0.0.12", "127.0.0.1", "localhost", "silo-3.lab.example" }, ClusterCertificate.NamesOf(certificate).Order());
        Assert.Equal($"{path}: sha256 {Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256))}", stdout.Trim());
    }

    [Fact]
    public async Task A_kept_certificate_that_does_not_name_the_hosts_is_refused_and_left_as_it_was()
    {
        var path = Path.Combine(_directory, "cluster.pfx");
        Assert.Equal(0, (await ClusterCliProcess.RunAsync("cluster", "certificate", "--out", path)).ExitCode);
        var before = await File.ReadAllBytesAsync(path);

        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("cluster", "certificate", "--out", path, "--hosts", "10.0.0.11");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"migration-cluster: --out: {path} exists and does not name 10.0.0.11: remove it, or write the new certificate elsewhere", line);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task A_bad_hosts_list_is_one_line_and_exit_2_and_writes_nothing()
    {
        var path = Path.Combine(_directory, "cluster.pfx");

        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("cluster", "certificate", "--out", path, "--hosts", "10.0.0.11,not a host");

        Assert.Equal(2, exitCode);
        Assert.Equal("migration-cluster: --hosts: 'not a host' is neither a host name nor an IP address.", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_client_directory_with_bad_settings_is_one_line_and_exit_2()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "client.json"), """{ "ClusterId": "lab", "MembershipProvider": "postgres", "MembershipConnection": "Host=10.0.0.10" }""");

        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("run", "--cluster", _directory, "--nodes", "2");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"migration-cluster: --cluster: {Path.Combine(_directory, "client.json")}: no certificate at ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_of_a_cluster_whose_membership_server_does_not_answer_gives_up_with_one_line_after_its_connect_timeout()
    {
        using (ClusterCertificate.LoadOrCreate(Path.Combine(_directory, "cluster.pfx")))
        {
        }
        // Port 1 on loopback: refused at once, as an unreachable server would be after its timeout.
        await File.WriteAllTextAsync(Path.Combine(_directory, "client.json"),
            """{ "ClusterId": "lab", "MembershipProvider": "postgres", "MembershipConnection": "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2", "ConnectTimeout": "00:00:05" }""");

        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync(null, TimeSpan.FromSeconds(60), "run", "--cluster", _directory, "--nodes", "2");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("migration-cluster: could not connect to cluster 'lab' (postgres membership) within 5 s: ", line, StringComparison.Ordinal);
        Assert.DoesNotMatch(CliProcess.StackFrame, stderr);
    }
}
