using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Networking;

namespace MigrationCluster.Runtime.Testing;

/// <summary>
/// N silos in this process, talking real TCP over loopback through a shared membership table:
/// start more, stop them gracefully, kill them (a crash as the others see it), restart them (a new
/// generation), wait until every silo agrees on who is alive, and call grains through a client.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly TestClusterOptions _options;
    private readonly InMemoryMembershipStore _store = new();
    private readonly List<Silo> _silos = [];
    private readonly Lock _lock = new();
    private ClusterClient? _client;
    private int _siloNumber;

    private TestCluster(TestClusterOptions options)
    {
        _options = options;
    }

    /// <summary>The silos that were started and not stopped or killed.</summary>
    public IReadOnlyList<Silo> Silos
    {
        get
        {
            lock (_lock)
            {
                return [.. _silos];
            }
        }
    }

    public Silo Primary => Silos[0];

    /// <summary>A client connected to the cluster's gateways (every silo is one).</summary>
    public IGrainFactory Client => _client ?? throw new InvalidOperationException("The cluster is not started.");

    public ClusterClient ClusterClient => _client ?? throw new InvalidOperationException("The cluster is not started.");

    public TestClusterOptions Options => _options;

    /// <summary>A membership table on the cluster's store (for assertions on rows and for clients).</summary>
    public IMembershipTable CreateMembershipTable() =>
        _options.MembershipTableFactory?.Invoke(_options.ClusterId)
        ?? new InMemoryMembershipTable(new InMemoryMembershipTableOptions { ClusterId = _options.ClusterId }, _store);

    public NetworkingOptions CreateNetworkingOptions() => new() { ClusterId = _options.ClusterId, ClusterKey = _options.ClusterKey };

    public static async Task<TestCluster> StartAsync(TestClusterOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.InitialSilosCount < 1)
        {
            throw new OptionsValidationException($"{nameof(TestClusterOptions)}.{nameof(options.InitialSilosCount)} must be at least 1.");
        }
        var cluster = new TestCluster(options);
        try
        {
            // One at a time: each join is a CAS on the table version, and the first silo initializes it.
            for (var i = 0; i < options.InitialSilosCount; i++)
            {
                await cluster.StartAdditionalSiloAsync(cancellationToken).ConfigureAwait(false);
            }
            await cluster.WaitForLivenessToStabilizeAsync(cancellationToken).ConfigureAwait(false);
            var clientOptions = new ClusterClientOptions
            {
                Networking = cluster.CreateNetworkingOptions(),
                MembershipTable = cluster.CreateMembershipTable(),
                Messaging = new MessagingOptions { ResponseTimeout = options.ResponseTimeout, ResponseTimeoutCheckPeriod = TimeSpan.FromMilliseconds(50) },
                GatewayRefreshPeriod = options.Membership.TableRefreshTimeout,
            };
            foreach (var assembly in options.GrainAssemblies)
            {
                clientOptions.GrainAssemblies.Add(assembly);
            }
            cluster._client = await ClusterClient.ConnectAsync(clientOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return cluster;
    }

    public async Task<Silo> StartAdditionalSiloAsync(CancellationToken cancellationToken = default)
    {
        var number = Interlocked.Increment(ref _siloNumber);
        var builder = new SiloBuilder();
        foreach (var assembly in _options.GrainAssemblies)
        {
            builder.AddGrains(assembly);
        }
        builder.Configure<SiloBuilder, SiloOptions>(o =>
        {
            o.ClusterId = _options.ClusterId;
            o.SiloName = $"silo-{number}";
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Configure<SiloBuilder, MessagingOptions>(o =>
        {
            o.ResponseTimeout = _options.ResponseTimeout;
            o.ResponseTimeoutCheckPeriod = TimeSpan.FromMilliseconds(50);
        });
        _options.ConfigureSilo?.Invoke(builder);
        builder.UseClustering(c =>
        {
            c.Networking = CreateNetworkingOptions();
            c.Membership = _options.Membership;
            c.MembershipTable = CreateMembershipTable();
            _options.ConfigureCluster?.Invoke(c);
        });
        var silo = builder.Build();
        try
        {
            await silo.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await silo.KillAsync().ConfigureAwait(false);
            await silo.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        lock (_lock)
        {
            _silos.Add(silo);
        }
        return silo;
    }

    /// <summary>Graceful: ShuttingDown, activations deactivated, Dead in the table.</summary>
    public async Task StopSiloAsync(Silo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        Forget(silo);
        await silo.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Abrupt: sockets cut, probing stops, the table is not told. The others must detect it.</summary>
    public async Task KillSiloAsync(Silo silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        Forget(silo);
        await silo.KillAsync().ConfigureAwait(false);
        await silo.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops <paramref name="silo"/> gracefully and starts a new one (a new generation, a new address).</summary>
    public async Task<Silo> RestartSiloAsync(Silo silo, CancellationToken cancellationToken = default)
    {
        await StopSiloAsync(silo).ConfigureAwait(false);
        return await StartAdditionalSiloAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every running silo reads the same membership: exactly the running silos Active,
    /// every other silo in the table not Active. Throws <see cref="TimeoutException"/> after
    /// <see cref="TestClusterOptions.StabilizationPatience"/>.
    /// </summary>
    public async Task WaitForLivenessToStabilizeAsync(CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + _options.StabilizationPatience;
        while (true)
        {
            var silos = Silos;
            var expected = silos.Select(s => s.SiloAddress!).ToHashSet();
            if (silos.All(s => s.ClusterView.ActiveSilos.ToHashSet().SetEquals(expected)))
            {
                // Directory entries whose range moved are with their new owners before anyone calls.
                await Task.WhenAll(silos.Select(s => s.DirectoryHandoffs)).WaitAsync(_options.StabilizationPatience, cancellationToken).ConfigureAwait(false);
                if (silos.All(s => s.ClusterView.ActiveSilos.ToHashSet().SetEquals(expected)))
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Membership did not stabilize within {_options.StabilizationPatience}: expected [{string.Join(", ", expected)}], views: " +
                    string.Join(" | ", silos.Select(s => $"{s.Options.SiloName}: {s.ClusterView}")));
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The running silo with address <paramref name="address"/>, if any.</summary>
    public Silo? FindSilo(SiloAddress address) => Silos.FirstOrDefault(s => address.Equals(s.SiloAddress));

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var silo in Silos)
        {
            Forget(silo);
            await silo.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Forget(Silo silo)
    {
        lock (_lock)
        {
            _silos.Remove(silo);
        }
    }
}
