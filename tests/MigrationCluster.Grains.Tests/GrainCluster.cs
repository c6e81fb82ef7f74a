using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Hosting;

namespace MigrationCluster.Grains.Tests;

/// <summary>A one-silo runtime with the project's grains and helpers to lay out a small machine.</summary>
internal sealed class GrainCluster : IAsyncDisposable
{
    private GrainCluster(Silo silo)
    {
        Silo = silo;
    }

    public Silo Silo { get; }

    public IGrainFactory Grains => Silo.GrainFactory;

    public static async Task<GrainCluster> StartAsync(int nodes, int framesPerNode)
    {
        var builder = new SiloBuilder().AddGrains(typeof(NumaNodeGrain).Assembly).AddMemoryGrainStorage();
        builder.Configure<SiloBuilder, MessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(60));
        var cluster = new GrainCluster(builder.Build());
        for (var n = 0; n < nodes; n++)
        {
            await cluster.Grains.GetGrain<INumaNodeGrain>(n).Configure(new NodeConfiguration(framesPerNode));
        }
        return cluster;
    }

    /// <summary>Two-node distances: 10 local, 21 remote.</summary>
    public static AddressSpaceConfiguration Process(int home, int nodes = 2) => new(
        home,
        [home, .. Enumerable.Range(0, nodes).Where(n => n != home)],
        [.. Enumerable.Range(0, nodes).Select(n => n == home ? 10 : 21)],
        LocalAccessNs: 80);

    public async ValueTask DisposeAsync() => await Silo.DisposeAsync();
}
