using System.Diagnostics;
using MigrationCluster.Grains.Diagnostics;
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

    /// <summary>How many gateway-probe grains the watch takes in turn.</summary>
    public const int ProbeKeys = 16;

    /// <summary>
    /// The watch that fits the cluster in <paramref name="stateDirectory"/>: a local cluster's
    /// processes and SQLite table, or (a <c>client.json</c>) a remote cluster's membership as its silos see it.
    /// <paramref name="renew"/>, if given, is called once a period: it tells the cluster the
    /// client still waits (an experiment's <see cref="ClientLease"/>).
    /// </summary>
    public static Task<T> WhileSilosLiveAsync<T>(string stateDirectory, IGrainFactory grains, Func<Task<T>> call, Func<Task>? renew = null) =>
        ClusterClientSettings.ExistsIn(stateDirectory)
            ? WhileMembersLiveAsync(grains, call, ClusterClientSettings.Load(stateDirectory).ResponseTimeout, renew)
            : WhileSilosLiveAsync(stateDirectory, call, renew);

    /// <summary>How long a local cluster goes on with a run whose client it has not heard from (killed, say).</summary>
    public static readonly TimeSpan LocalClientLease = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long the cluster in <paramref name="stateDirectory"/> goes on with a run whose client it
    /// has not heard from: on several machines twice the client's ResponseTimeout (the client
    /// itself gives up after one; a shorter cut that the client rides out must not end the run).
    /// </summary>
    public static TimeSpan ClientLease(string stateDirectory) =>
        ClusterClientSettings.ExistsIn(stateDirectory) ? ClusterClientSettings.Load(stateDirectory).ResponseTimeout * 2 : LocalClientLease;

    /// <summary>
    /// A cluster on other machines: no process to look at, so the silos' own verdict (Orleans'
    /// membership through <see cref="IManagementGrain"/>): a silo that was Active when the call
    /// began and is declared dead (or gone) ends the wait with one line naming it. A client cut
    /// off from the cluster hears nothing (a partition closes no connection, and the call's own
    /// timeout can be minutes), so the watch also probes the gateways each period: when none has
    /// answered for <paramref name="silence"/> (the client's ResponseTimeout), it ends the wait.
    /// </summary>
    public static async Task<T> WhileMembersLiveAsync<T>(IGrainFactory grains, Func<Task<T>> call, TimeSpan silence, Func<Task>? renew = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(silence, TimeSpan.Zero);
        var management = grains.GetGrain<IManagementGrain>(0);
        var watched = (await management.GetDetailedHosts(onlyActive: true).WaitAsync(ReadTimeout * 5).ConfigureAwait(false))
            .Where(e => e.Status == SiloStatus.Active)
            .ToList();
        var running = call();
        var lastAnswer = Stopwatch.StartNew();
        var probe = 0;
        while (true)
        {
            // A few keys in turn: the probes spread over the gateways, and reuse their activations
            // (a new key every second would leave a new activation on a gateway every second).
            var answered = ProbeAsync(grains.GetGrain<IGatewayProbeGrain>(++probe % ProbeKeys), probe);
            Renew(renew);
            var finished = await Task.WhenAny(running, Task.Delay(Period)).ConfigureAwait(false);
            if (finished == running)
            {
                return await NamingALostSilo(running, watched.Select(e => (e.SiloName, e.SiloAddress.Endpoint.ToString(), e.SiloAddress.ToString()))).ConfigureAwait(false);
            }
            if (await answered.ConfigureAwait(false))
            {
                lastAnswer.Restart();
            }
            else if (lastAnswer.Elapsed >= silence)
            {
                throw new ClusterCommandException(
                    $"lost contact with the cluster: no gateway answered for {lastAnswer.Elapsed.TotalSeconds:0} s (ResponseTimeout {silence.TotalSeconds:0} s); the run was abandoned");
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

    /// <summary>Tells the cluster the client still waits, without waiting for it: a renewal that is lost is made again a period later.</summary>
    private static void Renew(Func<Task>? renew)
    {
        if (renew is not null)
        {
            _ = renew().WaitAsync(ReadTimeout).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
    }

    /// <summary>True when the gateway answered within <see cref="ReadTimeout"/>.</summary>
    private static async Task<bool> ProbeAsync(IGatewayProbeGrain gateway, int value)
    {
        try
        {
            return await gateway.Probe(value).WaitAsync(ReadTimeout).ConfigureAwait(false) == value + 1;
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException)
        {
            return false;
        }
    }

    public static async Task<T> WhileSilosLiveAsync<T>(string stateDirectory, Func<Task<T>> call, Func<Task>? renew = null)
    {
        ArgumentNullException.ThrowIfNull(call);
        var state = new LocalClusterState(stateDirectory);
        var watched = (await ClusterStatusReader.ReadAsync(state).ConfigureAwait(false))
            .Where(s => s.Status == "Active" && s.ProcessRunning)
            .ToList();
        var running = call();
        while (true)
        {
            Renew(renew);
            var finished = await Task.WhenAny(running, Task.Delay(Period)).ConfigureAwait(false);
            if (finished == running)
            {
                return await NamingALostSilo(running, watched.Select(s => (s.SiloName, s.Address, s.Address))).ConfigureAwait(false);
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

    /// <summary>
    /// The call's outcome; a call that failed because a silo it reached became unavailable (a
    /// grain call to a silo declared dead is broken with Orleans' long message, which names the
    /// silo only by its address) fails with one line naming the silo, as the watch would have.
    /// </summary>
    private static async Task<T> NamingALostSilo<T>(Task<T> call, IEnumerable<(string Name, string Shown, string Address)> watched)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (SiloUnavailableException exception)
        {
            var lost = watched.FirstOrDefault(s => exception.Message.Contains(s.Address, StringComparison.Ordinal));
            throw new ClusterCommandException(lost.Name is null
                ? "a silo became unavailable during the run (it was declared dead or stopped); the run was abandoned"
                : $"silo {lost.Name} ({lost.Shown}) became unavailable during the run (it was declared dead or stopped); the run was abandoned", exception);
        }
    }
}
