using MigrationCluster.Runtime.Cluster;
using MigrationCluster.Runtime.Configuration;
using MigrationCluster.Runtime.Hosting;
using MigrationCluster.Runtime.MembershipService;
using MigrationCluster.Runtime.Placement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MigrationCluster.Silo.Hosting;

/// <summary>Runs one cluster silo inside the Generic Host: joins on start, leaves gracefully on SIGTERM, stops the host if the cluster declares it dead.</summary>
internal sealed class SiloService(SiloProcessOptions options, ILoggerFactory loggers, IHostApplicationLifetime lifetime) : IHostedService, IAsyncDisposable
{
    /// <summary>The simulation's grains (another project; loaded by name since it has no type to point at yet).</summary>
    public const string GrainsAssemblyName = "MigrationCluster.Grains";

    private static readonly TimeSpan StatusPeriod = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = loggers.CreateLogger("MigrationCluster.SiloProcess");
    private Runtime.Hosting.Silo? _silo;
    private IMembershipTable? _table;
    private Timer? _statusTimer;
    private string _siloName = "";
    private volatile bool _stopping;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var state = options.State;
        state?.EnsureCreated();
        _siloName = options.SiloName ?? $"silo-{Environment.ProcessId}";
        var key = !string.IsNullOrWhiteSpace(options.ClusterKey) ? options.ClusterKey : state!.ReadKey();
        _table = options.MembershipProvider == SiloProcessOptions.PostgresProvider
            ? new PostgresMembershipTable(new PostgresMembershipTableOptions { ConnectionString = options.MembershipConnection!, ClusterId = options.ClusterId })
            : new SqliteMembershipTable(new SqliteMembershipTableOptions { FilePath = options.MembershipConnection ?? state!.MembershipFile, ClusterId = options.ClusterId });
        var grainStateFile = options.GrainStateFile ?? state?.GrainStateFile;

        var builder = new SiloBuilder()
            .AddGrains(typeof(SiloService).Assembly)
            .AddGrains(System.Reflection.Assembly.Load(GrainsAssemblyName))
            .UseLogging(loggers);
        builder.Configure<SiloBuilder, SiloOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.SiloName = _siloName;
        });
        builder.Configure<SiloBuilder, MessagingOptions>(o => o.ResponseTimeout = options.ResponseTimeout);
        if (grainStateFile is not null)
        {
            builder.AddSqliteGrainStorage(o => o.FilePath = grainStateFile);
        }
        else
        {
            builder.AddMemoryGrainStorage();
        }
        var table = _table;
        builder.UseClustering(c =>
        {
            c.Networking.ClusterId = options.ClusterId;
            c.Networking.ClusterKeyBase64 = key;
            c.Networking.ListenAddress = options.ListenAddress;
            c.Networking.ListenPort = options.ListenPort;
            c.Membership = options.ToMembershipOptions();
            c.MembershipTable = table;
            // The NUMA node grain spreads over the silos: node k on the k-th silo.
            c.PlacementOverrides["numanode"] = PlacementStrategyNames.NumaNode;
        });
        _silo = builder.Build();
        await _silo.StartAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Silo {SiloName} is Active at {Address} (pid {Pid})", _siloName, _silo.SiloAddress, Environment.ProcessId);
        if (state is not null)
        {
            await File.WriteAllTextAsync(state.PidFile(_siloName), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            _statusTimer = new Timer(_ => WriteStatus(), null, TimeSpan.Zero, StatusPeriod);
        }
        var silo = _silo;
        _ = silo.Terminated.ContinueWith(
            _ =>
            {
                if (!_stopping)
                {
                    _logger.LogError("Silo {SiloName} was declared dead by the cluster: exiting", _siloName);
                    Environment.ExitCode = 1;
                    lifetime.StopApplication();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_statusTimer is not null)
        {
            await _statusTimer.DisposeAsync().ConfigureAwait(false);
        }
        if (_silo is not null)
        {
            _logger.LogInformation("Silo {SiloName} stopping", _siloName);
            await _silo.DisposeAsync().ConfigureAwait(false);
        }
        WriteStatus(SiloStatus.Dead);
        if (options.State is { } state)
        {
            File.Delete(state.PidFile(_siloName));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_table is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void WriteStatus() => WriteStatus(null);

    private void WriteStatus(SiloStatus? status)
    {
        if (options.State is not { } state || _silo is not { } silo)
        {
            return;
        }
        try
        {
            var current = status ?? (silo.SiloAddress is { } address ? silo.ClusterView.StatusOf(address) : SiloStatus.Joining);
            new SiloStatusFile(_siloName, silo.SiloAddress?.ToString(), Environment.ProcessId, current.ToString(), silo.ActivationCount, DateTimeOffset.UtcNow)
                .Write(state.StatusFile(_siloName));
        }
        catch (IOException exception)
        {
            _logger.LogWarning("Writing the status file failed: {Reason}", exception.Message);
        }
    }
}
