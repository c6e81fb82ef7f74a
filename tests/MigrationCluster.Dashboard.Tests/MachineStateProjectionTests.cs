using System.Net;
using System.Net.Sockets;
using MigrationCluster.Dashboard;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Hosting;

namespace MigrationCluster.Dashboard.Tests;

public sealed class MachineStateProjectionTests
{
    private static MachineMonitorSnapshot Snapshot(long[] migrated, string? traceId = "0af7651916cd43dd8448eb211c80319c") => new(
        new MachineDescription([[10, 21], [21, 10]], 100, "test"),
        1_000,
        5_000,
        new Dictionary<string, long> { ["pgmigrate_success"] = 30 },
        [new NodeMigrationCount(0, 0, 30), new NodeMigrationCount(1, 30, 0)],
        new MigrationRate(5, migrated, new long[migrated.Length]),
        [new MigrationReport("c1", 0, "S1", "MIGRATE_SYNC", "syscall", 1_000, 12.5, 30, 30, 0, 0, 1,
            new Dictionary<string, long>(), [], [new StepLatency(12, "copy_page", 2, 4)], traceId, Finished: true, 9_000, [new StepSimulatedTotal(12, "copy_page", 2, 8_000)])]);

    [Fact]
    public void Nodes_take_frames_from_their_grain_and_moves_from_the_monitor()
    {
        var state = MachineStateReader.Project(
            Snapshot([0, 0, 0, 0, 0, 0, 10, 20]),
            [new NodeReading(1, new NodeStatus(1, 100, 70, 25, 5, 0, "S2"), null), new NodeReading(0, null, "NUMA node 0 is not configured")],
            "the cluster",
            null);

        Assert.True(state.Configured);
        Assert.Null(state.Message);
        Assert.Equal([0, 1], state.Nodes.Select(n => n.Node));
        var zero = state.Nodes[0];
        Assert.Equal(("node 0", null, null, 30L, "NUMA node 0 is not configured"), (zero.Label, zero.FramesUsed, zero.Silo, zero.PagesMigratedOut, zero.Error));
        var one = state.Nodes[1];
        Assert.Equal(("node 1", 30, 70, "S2", 30L), (one.Label, one.FramesUsed, one.FramesFree, one.Silo, one.PagesMigratedIn));
        Assert.Equal(1_000, state.Machine!.ConfiguredUnixMs);
    }

    [Fact]
    public void The_rate_now_is_the_mean_of_the_last_seconds()
    {
        var state = MachineStateReader.Project(Snapshot([100, 0, 0, 5, 10, 15, 20, 50]), [], "c", null);
        // The last five seconds, the current one included: (5 + 10 + 15 + 20 + 50) / 5.
        Assert.Equal(20, state.Rate.PagesPerSecond);
        Assert.Equal(8, state.Rate.WindowSeconds);
    }

    [Fact]
    public void A_call_links_to_its_trace_only_when_there_is_a_trace_and_a_Jaeger()
    {
        var jaeger = new Uri("http://127.0.0.1:16686/");
        Assert.Equal("http://127.0.0.1:16686/trace/0af7651916cd43dd8448eb211c80319c", MachineStateReader.Project(Snapshot([0]), [], "c", jaeger).Migrations[0].TraceUrl);
        Assert.Null(MachineStateReader.Project(Snapshot([0]), [], "c", null).Migrations[0].TraceUrl);
        Assert.Null(MachineStateReader.Project(Snapshot([0], traceId: null), [], "c", jaeger).Migrations[0].TraceUrl);
    }

    [Fact]
    public void A_call_shows_its_simulated_time_per_step_beside_the_host_time()
    {
        var call = MachineStateReader.Project(Snapshot([0]), [], "c", null).Migrations[0];
        Assert.Equal(9_000, call.SimulatedNs);
        Assert.Equal(12.5, call.ElapsedMs);
        var step = Assert.Single(call.Steps);
        Assert.Equal((12, "copy_page", 2, 8_000L, 4_000L, 4.0, 2.0), (step.Step, step.Name, step.Batches, step.SimulatedTotalNs, step.SimulatedMeanNs, step.TotalMs, step.MeanMs));
    }

    [Fact]
    public void Without_a_machine_the_state_says_so()
    {
        var state = MachineStateReader.Project(Snapshot([0]) with { Machine = null }, [], "c", null);
        Assert.False(state.Configured);
        Assert.Equal(MachineStateReader.NoMachineMessage, state.Message);
        Assert.Empty(state.Nodes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void A_port_out_of_range_is_bad_input(int port)
    {
        var error = Assert.Throws<UsageException>(() => new DashboardServerOptions { Port = port }.Validate());
        Assert.Contains("--port must be between 1 and 65535", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_in_use_is_bad_input_named_by_its_option()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var error = Assert.Throws<UsageException>(() => new DashboardServerOptions { PortOption = "--dashboard", Port = port }.Validate());
            Assert.Equal($"--dashboard {port}: 127.0.0.1:{port} is already in use (choose another port)", error.Message);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Theory]
    [InlineData("localhost", null)]
    [InlineData("127.0.0.1", "ftp://jaeger")]
    [InlineData("127.0.0.1", "jaeger:16686")]
    public void A_listen_address_must_be_an_IP_and_Jaeger_an_http_URL(string listen, string? jaeger)
    {
        var error = Assert.Throws<UsageException>(() => new DashboardServerOptions { Port = FreePort.Next(), ListenAddress = listen, JaegerUrl = jaeger }.Validate());
        Assert.StartsWith(jaeger is null ? "--listen" : "--jaeger", error.Message, StringComparison.Ordinal);
    }
}
