using MigrationCluster.Hosting.SiloProcess;
using Orleans;
using Orleans.Runtime;

namespace MigrationCluster.Hosting.Embedded;

/// <summary>
/// Watches a local cluster's silos while a call into it runs. A silo that dies mid-call can leave
/// the call waiting for its full response timeout (minutes for an experiment), so the command
/// ends the wait itself, with one line naming the silo, as soon as a silo that was Active when the
/// call began has left (its process gone, or the cluster no longer lists it Active).
/// </summary>
public static class ClusterWatch
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>How long one look at a remote cluster's membership may take; a look that fails is retried at the next period.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The watch that fits the cluster in <paramref name="stateDirectory"/>: a local cluster's
    /// processes and SQLite table, or (a <c>client.json</c>) a remote cluster's membership as its silos see it.
    /// </summary>
    public static Task<T> WhileSilosLiveAsync<T>(string stateDirectory, IGrainFactory grains, Func<Task<T>> call) =>
        ClusterClientSettings.ExistsIn(stateDirectory) ? WhileMembersLiveAsync(grains, call) : WhileSilosLiveAsync(stateDirectory, call);

    /// <summary>
    /// A cluster on other machines: no process to look at, so the silos' own verdict (Orleans'
    /// membership through <see cref="IManagementGrain"/>): a silo that was Active when the call
    /// began and is declared dead (or gone) ends the wait with one line naming it.
    /// </summary>
    public static async Task<T> WhileMembersLiveAsync<T>(IGrainFactory grains, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(call);
        var management = grains.GetGrain<IManagementGrain>(0);
        var watched = (await management.GetDetailedHosts(onlyActive: true).WaitAsync(ReadTimeout * 5).ConfigureAwait(false))
            .Where(e => e.Status == SiloStatus.Active)
            .ToList();
        var running = call();
        while (true)
        {
            var finished = await Task.WhenAny(running, Task.Delay(Period)).ConfigureAwait(false);
            if (finished == running)
            {
                return await running.ConfigureAwait(false);
            }
            MembershipEntry[] now;
            try
            {
                now = await management.GetDetailedHosts(onlyActive: false).WaitAsync(ReadTimeout).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                // No verdict this time (the table or the silo asked is out of reach): the call's own timeouts still hold.
                continue;
            }
            foreach (var silo in watched)
            {
                var current = now.FirstOrDefault(e => e.SiloAddress.Equals(silo.SiloAddress));
                if (current is null || current.Status != SiloStatus.Active)
                {
                    throw new ClusterCommandException(
                        $"silo {silo.SiloName} ({silo.SiloAddress.Endpoint}) left the cluster during the run ({current?.Status.ToString() ?? "gone"}); the run was abandoned");
                }
            }
        }
    }

    public static async Task<T> WhileSilosLiveAsync<T>(string stateDirectory, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var state = new LocalClusterState(stateDirectory);
        var watched = (await ClusterStatusReader.ReadAsync(state).ConfigureAwait(false))
            .Where(s => s.Status == "Active" && s.ProcessRunning)
            .ToList();
        var running = call();
        while (true)
        {
            var finished = await Task.WhenAny(running, Task.Delay(Period)).ConfigureAwait(false);
            if (finished == running)
            {
                return await running.ConfigureAwait(false);
            }
            var now = await ClusterStatusReader.ReadAsync(state).ConfigureAwait(false);
            foreach (var silo in watched)
            {
                var current = now.FirstOrDefault(s => s.Address == silo.Address);
                var alive = ClusterStatusReader.IsRunning(silo.ProcessId);
                if (!alive || current is null || current.Status != "Active")
                {
                    throw new ClusterCommandException(
                        $"silo {silo.SiloName} ({silo.Address}, pid {silo.ProcessId}) left the cluster during the run ({(alive ? current?.Status ?? "gone" : "process ended")}); the run was abandoned");
                }
            }
        }
    }
}
