using MigrationCluster.Runtime.Catalog;
using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Core;
using MigrationCluster.Runtime.Invocation;
using MigrationCluster.Runtime.Messaging;
using MigrationCluster.Runtime.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MigrationCluster.Runtime.Hosting;

/// <summary>
/// A silo: the process-side host of grain activations. It owns the catalog, the call dispatcher,
/// the timeout sweeper and the idle collector, and serves grain calls through <see cref="GrainFactory"/>.
/// </summary>
public sealed class Silo : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly GrainCallDispatcher _dispatcher;
    private readonly ResponseTimeoutSweeper _sweeper;
    private readonly ActivationCollector _collector;
    private readonly ILogger _logger;
    private readonly ClusterSiloRuntime? _cluster;
    private int _stopped;

    internal Silo(ServiceProvider services)
    {
        _services = services;
        Options = services.GetRequiredService<IOptions<SiloOptions>>().Value;
        Messaging = services.GetRequiredService<IOptions<MessagingOptions>>().Value;
        Collection = services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
        var scheduling = services.GetRequiredService<IOptions<SchedulingOptions>>().Value;
        Options.Validate();
        Messaging.Validate();
        Collection.Validate();
        scheduling.Validate();

        TimeProvider = services.GetRequiredService<TimeProvider>();
        _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MigrationCluster.Silo");
        Types = services.GetRequiredService<GrainTypeRegistry>();
        foreach (var grainAssembly in services.GetServices<GrainAssembly>())
        {
            Types.AddAssembly(grainAssembly.Assembly);
        }

        Catalog = new Catalog.Catalog(Types);
        _dispatcher = new GrainCallDispatcher(TimeProvider, Messaging);
        var factory = new Invocation.GrainFactory(Types, () => _dispatcher);
        _dispatcher.GrainFactory = factory;
        GrainFactory = factory;
        Catalog.Initialize(new ActivationServices(Catalog, new GrainServiceProvider(services, factory), factory, TimeProvider, scheduling, Collection, new RuntimeInstruments(), _logger));
        if (services.GetService<ClusterOptions>() is { } cluster)
        {
            _cluster = new ClusterSiloRuntime(Catalog, Types, factory, cluster, Options.ClusterId, Options.SiloName, TimeProvider, services.GetRequiredService<ILoggerFactory>());
            _cluster.DeclaredDead += () => _ = Task.Run(KillAsync);
            _dispatcher.SetRouter(_cluster);
        }
        else
        {
            _dispatcher.SetRouter(new LocalRequestRouter(Catalog));
        }

        _sweeper = new ResponseTimeoutSweeper(TimeProvider, Messaging.ResponseTimeoutCheckPeriod, _dispatcher.TimeoutOf);
        _sweeper.AddSource((now, expired) =>
        {
            foreach (var activation in Catalog.GetActivations())
            {
                activation.ExpireRequests(now, expired);
            }
        });
        if (_cluster is not null)
        {
            _sweeper.AddSource(_cluster.CollectExpired);
        }
        _collector = new ActivationCollector(Catalog, Collection, TimeProvider);
        _logger.LogInformation("Silo {SiloName} of cluster {ClusterId} started with {GrainTypes} grain types", Options.SiloName, Options.ClusterId, Types.GrainClasses.Count());
    }

    public SiloOptions Options { get; }

    public MessagingOptions Messaging { get; }

    public GrainCollectionOptions Collection { get; }

    public TimeProvider TimeProvider { get; }

    public IGrainFactory GrainFactory { get; }

    public IServiceProvider Services => _services;

    public GrainTypeRegistry Types { get; }

    internal Catalog.Catalog Catalog { get; }

    /// <summary>True when the silo was built with <c>UseClustering</c>: it must be started with <see cref="StartAsync"/>.</summary>
    public bool IsClustered => _cluster is not null;

    /// <summary>This silo's address in the cluster (after <see cref="StartAsync"/>); null for a single silo.</summary>
    public SiloAddress? SiloAddress => _cluster?.SiloAddress;

    /// <summary>The membership as this silo last read it (empty for a single silo).</summary>
    public ClusterView ClusterView => _cluster?.View ?? ClusterView.Empty;

    /// <summary>Completes when a clustered silo stops serving: stopped, killed, or declared dead by the others.</summary>
    public Task Terminated => _cluster?.Terminated ?? Task.Delay(Timeout.Infinite);

    /// <summary>
    /// Joins the cluster: listens, writes the membership row, and returns once Active. A single
    /// silo (no <c>UseClustering</c>) is serving from <c>Build()</c> on, and this does nothing.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        _cluster is null ? Task.CompletedTask : _cluster.StartAsync(cancellationToken);

    /// <summary>Completes when the directory work after the membership changes seen so far is done (tests wait for it).</summary>
    internal Task DirectoryHandoffs => _cluster?.DirectoryHandoffs ?? Task.CompletedTask;

    /// <summary>Live activations on this silo.</summary>
    public int ActivationCount => Catalog.Count;

    /// <summary>Runs the idle collector now (tests and diagnostics); returns how many it collected.</summary>
    public int CollectIdleActivations() => _collector.Collect();

    /// <summary>Checks pending calls against their deadlines now.</summary>
    public void CheckResponseTimeouts() => _sweeper.Sweep();

    /// <summary>Deactivates every activation (calling their <c>OnDeactivateAsync</c>) and stops the silo's timers.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _collector.Dispose();
        if (_cluster is not null && _cluster.SiloAddress is not null)
        {
            using var timeout = new CancellationTokenSource(Options.ShutdownTimeout);
            try
            {
                await _cluster.BeginShutdownAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException)
            {
                _logger.LogWarning("Silo {SiloName} could not announce its shutdown: {Reason}", Options.SiloName, exception.Message);
            }
        }
        await Catalog.DeactivateAllAsync(Options.ShutdownTimeout, TimeProvider).ConfigureAwait(false);
        if (_cluster is not null && _cluster.SiloAddress is not null)
        {
            using var timeout = new CancellationTokenSource(Options.ShutdownTimeout);
            try
            {
                await _cluster.LeaveAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException)
            {
                _logger.LogWarning("Silo {SiloName} could not mark itself Dead: {Reason}", Options.SiloName, exception.Message);
            }
        }
        _sweeper.Dispose();
        _logger.LogInformation("Silo {SiloName} stopped", Options.SiloName);
    }

    /// <summary>
    /// Stops abruptly, as a crash would look to the others: sockets cut, no probes or heartbeats,
    /// nothing written to the membership table, activations dropped without deactivation.
    /// </summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        _collector.Dispose();
        _sweeper.Dispose();
        if (_cluster is not null)
        {
            await _cluster.KillAsync().ConfigureAwait(false);
        }
        _logger.LogWarning("Silo {SiloName} killed", Options.SiloName);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync().ConfigureAwait(false);
        }
        await _services.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>What grains get injected: the silo's services plus its grain factory.</summary>
    private sealed class GrainServiceProvider(IServiceProvider inner, IGrainFactory factory) : IServiceProvider, IKeyedServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IGrainFactory) ? factory : inner.GetService(serviceType);

        public object? GetKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetKeyedService(serviceType, serviceKey);

        public object GetRequiredKeyedService(Type serviceType, object? serviceKey) => ((IKeyedServiceProvider)inner).GetRequiredKeyedService(serviceType, serviceKey);
    }
}
