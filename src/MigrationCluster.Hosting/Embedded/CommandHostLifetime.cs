using Microsoft.Extensions.Hosting;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// The lifetime of every host the command runs inside itself (its silos, its Orleans client, the
/// dashboard's web application): it leaves Ctrl+C and SIGTERM to the command. A host's default
/// ConsoleLifetime would take Ctrl+C for itself: it swallowed the signal (so `run` could not be
/// stopped) and cancelled a silo that was still starting (so Ctrl+C in a sweep failed the point
/// whose cluster was coming up, instead of stopping after it).
/// </summary>
public sealed class CommandHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
