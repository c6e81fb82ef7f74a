using MigrationCluster.Hosting.SiloProcess;

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
