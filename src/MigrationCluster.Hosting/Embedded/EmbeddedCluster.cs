using System.Net;
using System.Net.Sockets;
using MigrationCluster.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using Orleans.Metadata;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// The cluster a command hosts in its own process: N Orleans silos, each in its own Generic Host,
/// talking over real loopback TCP on free ports, with Orleans' development membership (silo 1 is
/// the primary: they live and die with the command). Needs no server to install.
/// </summary>
public sealed class EmbeddedCluster : IAsyncDisposable
{
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long a silo may take to leave gracefully when the command ends.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly List<IHost> _hosts;

    private EmbeddedCluster(List<IHost> hosts, string clusterId, IReadOnlyList<int> gatewayPorts)
    {
        _hosts = hosts;
        ClusterId = clusterId;
        GatewayPorts = gatewayPorts;
    }

    public string ClusterId { get; }

    /// <summary>The silos' gateway ports on loopback, where an Orleans client of this cluster connects (e.g. the dashboard's).</summary>
    public IReadOnlyList<int> GatewayPorts { get; }

    /// <summary>The silos' service providers, in start order (silo 1 first).</summary>
    public IReadOnlyList<IServiceProvider> Silos => [.. _hosts.Select(h => h.Services)];

    /// <summary>Grain calls from the first silo's host (outside any grain, as a client would).</summary>
    public IGrainFactory GrainFactory => _hosts[0].Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Starts <paramref name="silos"/> silos and returns once each sees all of them active and
    /// knows what they host (so NUMA node grains spread over every silo from the first call).
    /// </summary>
    public static async Task<EmbeddedCluster> StartAsync(int silos, Action<ISiloBuilder>? configure = null, TimeSpan? startTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(silos, 1);
        var clusterId = $"embedded-{Environment.ProcessId}";
        var ports = FreeLoopbackPorts(2 * silos);
        var primary = new IPEndPoint(IPAddress.Loopback, ports[0]);
        var hosts = new List<IHost>();
        var cluster = new EmbeddedCluster(hosts, clusterId, [.. Enumerable.Range(0, silos).Select(i => ports[2 * i + 1])]);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(startTimeout ?? DefaultStartTimeout);
            for (var i = 0; i < silos; i++)
            {
                var index = i;
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
                // The command prints its own summary; only a silo's errors reach the terminal.
                builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Error);
                builder.Services.AddSingleton<IHostLifetime, CommandHostLifetime>();
                builder.UseOrleans(silo =>
                {
                    silo.UseMigrationCluster(o =>
                    {
                        o.ClusterId = clusterId;
                        o.SiloPort = ports[2 * index];
                        o.GatewayPort = ports[2 * index + 1];
                    });
                    // Silos that live and die together: the first keeps the table in memory.
                    silo.UseDevelopmentClustering(index == 0 ? null : primary);
                    configure?.Invoke(silo);
                });
                var host = builder.Build();
                hosts.Add(host);
                await host.StartAsync(timeout.Token).ConfigureAwait(false);
            }
            await cluster.WaitUntilFormedAsync(timeout.Token).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitUntilFormedAsync(CancellationToken cancellationToken)
    {
        while (!_hosts.All(Formed))
        {
            try
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the {_hosts.Count} silos did not form a cluster in time");
            }
        }

        bool Formed(IHost host)
        {
            var membership = host.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot;
            var manifest = host.Services.GetRequiredService<IClusterManifestProvider>().Current;
            return membership.Members.Values.Count(m => m.Status == SiloStatus.Active) == _hosts.Count
                && manifest.Silos.Count == _hosts.Count;
        }
    }

    /// <summary>Stops the silos gracefully, the primary last (the others read membership from it).</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        await Task.WhenAll(_hosts.Skip(1).Select(h => StopQuietly(h, timeout.Token))).ConfigureAwait(false);
        if (_hosts.Count > 0)
        {
            await StopQuietly(_hosts[0], timeout.Token).ConfigureAwait(false);
        }
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
        _hosts.Clear();
    }

    private static async Task StopQuietly(IHost host, CancellationToken cancellationToken)
    {
        try
        {
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Out of time: the process ends anyway.
        }
    }

    /// <summary>Free loopback ports outside the ephemeral range (see <see cref="LoopbackPorts"/>).</summary>
    internal static int[] FreeLoopbackPorts(int count) => LoopbackPorts.Free(count);
}
