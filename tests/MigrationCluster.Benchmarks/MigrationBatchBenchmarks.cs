using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Hosting;
using MigrationCluster.Memory.Migration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace MigrationCluster.Benchmarks;

/// <summary>
/// One batch of anonymous pages migrated through the grains of a one-silo Orleans cluster (the
/// coordinator, two NUMA node grains and an address space), there and back, with allocation
/// figures; <see cref="MigrationProtocolBenchmarks"/> is the same batch on the in-process model.
/// `dotnet run -c Release --project tests/MigrationCluster.Benchmarks -- --filter *MigrationBatch*`
/// </summary>
[MemoryDiagnoser]
public class MigrationBatchBenchmarks
{
    [Params(512, 4096)]
    public int Pages { get; set; }

    private IHost _silo = null!;
    private IMigrationCoordinatorGrain _coordinator = null!;
    private MigrationRequest[] _there = [];

    [GlobalSetup]
    public async Task Setup()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        var ports = FreePorts();
        builder.UseOrleans(silo => silo.UseMigrationCluster(o =>
        {
            o.ClusterId = "bench";
            o.SiloPort = ports[0];
            o.GatewayPort = ports[1];
        }).UseDevelopmentClustering(primarySiloEndpoint: null));
        _silo = builder.Build();
        await _silo.StartAsync();
        var grains = _silo.Services.GetRequiredService<IGrainFactory>();
        for (var n = 0; n < 2; n++)
        {
            await grains.GetGrain<INumaNodeGrain>(n).Configure(new NodeConfiguration(Pages * 2));
        }
        var space = grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(new AddressSpaceConfiguration(0, [0, 1], [10, 21], 80));
        var region = await space.MmapAnon(Pages, shared: false);
        await space.RunWorkload(new WorkloadSpec(WorkloadPattern.Sequential, Tasks: 1, AccessesPerTask: (int)region.Pages, WriteFraction: 1.0, Seed: 1));
        _there = [.. (await space.GetPageTable()).Select(e => new MigrationRequest(e.Page, 1))];
        _coordinator = grains.GetGrain<IMigrationCoordinatorGrain>(0);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _silo.StopAsync();
        _silo.Dispose();
    }

    [Benchmark(OperationsPerInvoke = 2)]
    public async Task MigrateThereAndBack()
    {
        var there = await _coordinator.MigratePages(_there, MigrateMode.Sync, MigrateReason.Syscall);
        var back = await _coordinator.MigratePages([.. there.NewPages.Select(p => new MigrationRequest(p, 0))], MigrateMode.Sync, MigrateReason.Syscall);
        _there = [.. back.NewPages.Select(p => new MigrationRequest(p, 1))];
    }

    private static int[] FreePorts()
    {
        var listeners = new[] { new TcpListener(IPAddress.Loopback, 0), new TcpListener(IPAddress.Loopback, 0) };
        foreach (var listener in listeners)
        {
            listener.Start();
        }
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        foreach (var listener in listeners)
        {
            listener.Stop();
        }
        return ports;
    }
}
