using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MigrationCluster.Hosting.Embedded;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Hosting;
using MigrationCluster.Hosting.Security;
using MigrationCluster.Hosting.SiloProcess;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Hosting;
using MigrationCluster.Dashboard.Tests;

namespace MigrationCluster.Cli.Tests.Cluster;

public sealed class ClusterSecurityTests
{
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Every_silo_port_demands_a_client_certificate_and_garbage_leaves_the_cluster_serving()
    {
        await using var cluster = await LocalCluster.StartAsync(2);
        var silos = await cluster.StatusAsync();
        Assert.True(File.Exists(Path.Combine(cluster.StateDir, "cluster.pfx")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(cluster.StateDir, "cluster.pfx")));

        foreach (var silo in silos)
        {
            var port = LocalCluster.PortOf(silo);
            // A TLS client with no certificate: the silo's handshake asks for one, then refuses the connection.
            var asked = false;
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync("127.0.0.1", port);
                using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true, (_, _, _, _, _) =>
                {
                    asked = true;
                    return null!;
                });
                Exception? refused = null;
                try
                {
                    await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
                    var buffer = new byte[16];
                    var read = await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                    Assert.Equal(0, read);
                }
                catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException)
                {
                    refused = exception;
                }
                Assert.True(asked, $"silo {silo.SiloName} did not ask for a client certificate ({refused?.Message})");
            }

            // Random bytes, not even TLS.
            using (var tcp = new TcpClient())
            {
                await tcp.ConnectAsync("127.0.0.1", port);
                var garbage = new byte[4096];
                Random.Shared.NextBytes(garbage);
                await tcp.GetStream().WriteAsync(garbage);
            }
        }

        Assert.All(await cluster.StatusAsync(), s => Assert.Equal("Active", s.Status));
        var json = Path.Combine(cluster.StateDir, "run.json");
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("run", "--cluster", cluster.StateDir, "--nodes", "2", "--address-spaces", "2", "--pages", "32", "--accesses", "50", "--json", json);
        Assert.True(exitCode == 0, stderr);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, document.RootElement.GetProperty("invariants").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_client_with_another_certificate_without_tls_or_of_another_service_is_refused()
    {
        await using var cluster = await LocalCluster.StartAsync(1);
        var state = new LocalClusterState(cluster.StateDir);

        using var stranger = ClusterCertificate.Create();
        await AssertRefusedAsync(state, o => o.TlsCertificate = stranger);
        await AssertRefusedAsync(state, o => o.TlsCertificate = null);
        using var ours = ClusterCertificate.Load(state.CertificateFile);
        await AssertRefusedAsync(state, o =>
        {
            o.TlsCertificate = ours;
            o.ServiceId = "another-service";
        });

        // The same client with the cluster's certificate and service is let in.
        await using var client = await LocalClusterClient.ConnectAsync(cluster.StateDir);
        await client.GrainFactory.GetGrain<INumaNodeGrain>(0).Configure(new NodeConfiguration(8));
        Assert.Equal(8, (await client.GrainFactory.GetGrain<INumaNodeGrain>(0).GetStatus()).FreePages);
    }

    [Fact]
    public async Task A_command_holding_another_valid_certificate_says_TLS_at_once_and_leaves_the_file_as_it_was()
    {
        await using var cluster = await LocalCluster.StartAsync(1);
        var state = new LocalClusterState(cluster.StateDir);
        var clusters = await File.ReadAllBytesAsync(state.CertificateFile);
        // Another certificate of the same kind, valid and readable, where the cluster's was.
        using var elsewhere = new TempDirectory();
        ClusterCertificate.LoadOrCreate(elsewhere.File("other.pfx")).Dispose();
        var other = await File.ReadAllBytesAsync(elsewhere.File("other.pfx"));
        await File.WriteAllBytesAsync(state.CertificateFile, other);

        var result = await CliProcess.RunAsync("run", "--cluster", cluster.StateDir, "--nodes", "2", "--address-spaces", "2", "--pages", "32");

        var line = Hostile.HostileAssert.BadInput(result, "TLS handshake with the gateway at 127.0.0.1:");
        Assert.Contains("refused: it presents the certificate", line, StringComparison.Ordinal);
        Assert.Equal(other, await File.ReadAllBytesAsync(state.CertificateFile));

        // With the cluster's own certificate back, the same command runs.
        await File.WriteAllBytesAsync(state.CertificateFile, clusters);
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync("run", "--cluster", cluster.StateDir, "--nodes", "2", "--address-spaces", "2", "--pages", "32", "--accesses", "50");
        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task A_silo_of_another_service_cannot_join_and_gives_up_with_one_line()
    {
        await using var cluster = await LocalCluster.StartAsync(1);
        var (exitCode, _, stderr) = await ClusterCliProcess.RunAsync(
            null,
            TimeSpan.FromMinutes(1),
            "cluster", "silo", "--state-dir", cluster.StateDir, "--name", "intruder", "--port", "0", "--gateway-port", "0",
            "--Silo:ServiceId", "another-service", "--Silo:StartTimeout", "00:00:10");
        Assert.Equal(2, exitCode); // port 0 is refused before anything starts
        Assert.Contains("Silo:SiloPort", stderr, StringComparison.Ordinal);

        var ports = FreePorts(2);
        (exitCode, _, stderr) = await ClusterCliProcess.RunAsync(
            null,
            TimeSpan.FromMinutes(1),
            "cluster", "silo", "--state-dir", cluster.StateDir, "--name", "intruder", "--port", ports[0], "--gateway-port", ports[1],
            "--Silo:ServiceId", "another-service", "--Silo:StartTimeout", "00:00:10");
        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("could not join", line, StringComparison.Ordinal);

        var silos = await cluster.StatusAsync();
        Assert.Single(silos, s => s.Status == "Active");
        Assert.Equal("silo-1", silos.Single(s => s.Status == "Active").SiloName);
    }

    private static async Task AssertRefusedAsync(LocalClusterState state, Action<MigrationClusterOptions> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.UseOrleansClient(client => client.UseMigrationCluster(o =>
        {
            o.ClusterId = LocalClusterState.ClusterId;
            configure(o);
        }).UseSqliteClustering(o => o.FilePath = state.MembershipFile));
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var connected = false;
        try
        {
            await host.StartAsync(timeout.Token);
            // Some refusals show only at the first call (the connection is made lazily).
            await host.Services.GetRequiredService<Orleans.IClusterClient>().GetGrain<INumaNodeGrain>(0).Configure(new NodeConfiguration(8)).WaitAsync(TimeSpan.FromSeconds(20));
            connected = true;
        }
        catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
        {
            // Refused, as it should be.
        }
        Assert.False(connected, "the client was let in");
    }

    private static string[] FreePorts(int count) =>
        [.. MigrationCluster.Hosting.LoopbackPorts.Free(count).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
