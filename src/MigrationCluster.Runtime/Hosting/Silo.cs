using MigrationCluster.Runtime.Catalog;
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
        _dispatcher.SetRouter(new LocalRequestRouter(Catalog));

        _sweeper = new ResponseTimeoutSweeper(TimeProvider, Messaging.ResponseTimeoutCheckPeriod, _dispatcher.TimeoutOf);
        _sweeper.AddSource((now, expired) =>
        {
            foreach (var activation in Catalog.GetActivations())
            {
                activation.ExpireRequests(now, expired);
            }
        });
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
        await Catalog.DeactivateAllAsync(Options.ShutdownTimeout, TimeProvider).ConfigureAwait(false);
        _sweeper.Dispose();
        _logger.LogInformation("Silo {SiloName} stopped", Options.SiloName);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
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
