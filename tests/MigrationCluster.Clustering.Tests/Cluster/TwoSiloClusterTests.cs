using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MigrationCluster.Hosting;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace MigrationCluster.Clustering.Tests;

/// <summary>
/// Two real silos (Generic Host, loopback TCP, ports of their own) configured by
/// <c>UseMigrationCluster</c>, whose only shared state is the provider's membership table, and a
/// client that finds them through the provider's gateway list. The provider is picked the way
/// Orleans picks its own, from configuration (<c>Orleans:Clustering:ProviderType</c> and its
/// section): derive with the provider's settings.
/// </summary>
public abstract class TwoSiloClusterTests : IAsyncLifetime
{
    private readonly List<IHost> _hosts = [];

    protected string ClusterId { get; } = "two-silos-" + Guid.NewGuid().ToString("N");

    protected string ServiceId { get; } = "two-silo-tests-" + Guid.NewGuid().ToString("N");

    /// <summary>The <c>Orleans:Clustering</c> section: the provider and where its table lives, for silos and the client alike.</summary>
    protected abstract IReadOnlyDictionary<string, string?> ClusteringSettings { get; }

    /// <summary>A table instance over the same store, to read what the silos wrote.</summary>
    protected abstract IMembershipTable CreateTable();

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
                // Already stopped, or shutting down too slowly: dispose anyway.
            }

            host.Dispose();
        }
    }

    [Fact]
    public async Task Silos_join_through_the_table_a_client_calls_them_and_a_stopped_silo_is_marked_dead()
    {
        var (siloA, portsA) = AddSilo("silo-a");
        var (siloB, portsB) = AddSilo("silo-b");
        await Task.WhenAll(siloA.StartAsync(), siloB.StartAsync());

        var table = CreateTable();
        await table.InitializeMembershipTableAsync(false);
        var members = (await table.ReadAllAsync()).Members.Select(m => m.Item1).ToList();
        Assert.Equal(2, members.Count);
        Assert.All(members, m => Assert.Equal(SiloStatus.Active, m.Status));
        Assert.Equal(new[] { portsA.Silo, portsB.Silo }.Order(), members.Select(m => m.SiloAddress.Endpoint.Port).Order());
        Assert.Equal(new[] { portsA.Gateway, portsB.Gateway }.Order(), members.Select(m => m.ProxyPort).Order());
        var addressA = members.Single(m => m.SiloAddress.Endpoint.Port == portsA.Silo).SiloAddress;
        var addressB = members.Single(m => m.SiloAddress.Endpoint.Port == portsB.Silo).SiloAddress;

        var client = AddClient();
        await client.StartAsync();
        var grains = client.Services.GetRequiredService<IClusterClient>();
        var served = await Task.WhenAll(Enumerable.Range(0, 20).Select(key => grains.GetGrain<IWhereAmIGrain>(key).SiloAddress()));
        Assert.All(served, silo => Assert.Contains(silo, new[] { addressA.ToParsableString(), addressB.ToParsableString() }));

        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await siloA.StopAsync(stopping.Token);
        }

        var after = await table.ReadAllAsync();
        Assert.Equal(SiloStatus.Dead, after.TryGet(addressA)!.Item1.Status);
        Assert.Equal(SiloStatus.Active, after.TryGet(addressB)!.Item1.Status);
        var gateways = await client.Services.GetRequiredService<Orleans.Messaging.IGatewayListProvider>().GetGatewaysAsync();
        Assert.Equal([SiloAddress.New(new IPEndPoint(IPAddress.Loopback, portsB.Gateway), addressB.Generation).ToGatewayUri()], gateways);

        // The grains that lived on A come back on B; give the client a moment to drop A's gateway.
        foreach (var key in Enumerable.Range(0, 20))
        {
            Assert.Equal(addressB.ToParsableString(), await CallWithRetryAsync(() => grains.GetGrain<IWhereAmIGrain>(key).SiloAddress()));
        }
    }

    private static async Task<string> CallWithRetryAsync(Func<Task<string>> call)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception error) when (DateTime.UtcNow < deadline && error is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(200);
            }
        }
    }

    private (IHost Host, (int Silo, int Gateway) Ports) AddSilo(string name)
    {
        var ports = (Silo: FreePort(), Gateway: FreePort());
        var host = new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(ClusteringSettings))
            .UseOrleans(silo => silo
                .UseMigrationCluster(options =>
                {
                    Identify(options);
                    options.SiloPort = ports.Silo;
                    options.GatewayPort = ports.Gateway;
                })
                .Configure<SiloOptions>(options => options.SiloName = name)
                .Configure<ClusterMembershipOptions>(options =>
                {
                    // Short periods: the test waits on membership changes, not on production timeouts.
                    options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
                    options.ProbeTimeout = TimeSpan.FromSeconds(1);
                    options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(2);
                    options.NumMissedProbesLimit = 2;
                }))
            .Build();
        _hosts.Add(host);
        return (host, ports);
    }

    private IHost AddClient()
    {
        var host = new HostBuilder()
            .ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(ClusteringSettings))
            .UseOrleansClient(client => client
                .UseMigrationCluster(Identify)
                .Configure<GatewayOptions>(options => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1)))
            .Build();
        _hosts.Add(host);
        return host;
    }

    private void Identify(MigrationClusterOptions options)
    {
        options.ClusterId = ClusterId;
        options.ServiceId = ServiceId;
        options.ListenAddress = IPAddress.Loopback.ToString();
    }

    private static int FreePort() => MigrationCluster.Hosting.LoopbackPorts.Free(1)[0];
}
