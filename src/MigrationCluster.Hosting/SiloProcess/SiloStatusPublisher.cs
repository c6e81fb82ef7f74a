using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.SiloProcess;

/// <summary>
/// Writes this silo's pid file and, every second, its status file (address, membership status,
/// activations) in the cluster's state directory, for <c>cluster status</c> and <c>cluster stop</c>.
/// </summary>
internal sealed class SiloStatusPublisher(LocalClusterState state, string siloName, IServiceProvider services) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly ILogger _logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MigrationCluster.SiloProcess");

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(state.PidFile(siloName), Environment.ProcessId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        do
        {
            await PublishAsync().ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        Publish(SiloStatus.Dead);
        File.Delete(state.PidFile(siloName));
    }

    private async Task PublishAsync()
    {
        var address = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var member = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.GetValueOrDefault(address);
        int? activations = null;
        if (member?.Status == SiloStatus.Active)
        {
            try
            {
                // Orleans' management grain knows the silo's activation count.
                var statistics = await services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetRuntimeStatistics([address]).WaitAsync(Period).ConfigureAwait(false);
                activations = statistics[0].ActivationCount;
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                _logger.LogDebug("No activation count this second: {Reason}", exception.Message);
            }
        }
        Publish(member?.Status ?? SiloStatus.Joining, activations);
    }

    private void Publish(SiloStatus status, int? activations = null)
    {
        var address = services.GetService<ILocalSiloDetails>()?.SiloAddress;
        try
        {
            new SiloStatusFile(siloName, address?.ToString(), Environment.ProcessId, status.ToString(), activations, DateTimeOffset.UtcNow)
                .Write(state.StatusFile(siloName));
        }
        catch (IOException exception)
        {
            _logger.LogWarning("Writing the status file failed: {Reason}", exception.Message);
        }
    }
}
