using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Memory.AddressSpaces;
using Orleans.Runtime;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// Conservative windows over one run (docs/simulated-time.md). Reentrant: the coordinators wait
/// in <see cref="Reach"/> side by side. A coordinator goes once every coordinator it could affect
/// (one that maps a task's page it also touches, or one that shares a node with it) is waiting
/// too and none of them waits at an earlier time; at the same time, one that shares a node waits
/// for the lower id, one that shares only address spaces goes with it (their steps touch
/// different pages, and the tasks of both wait at that time). Coordinators that cannot affect
/// each other go side by side; the order of events that can affect each other is the order of
/// simulated time, never the order messages arrive in.
/// A silo that dies during the run takes its grains' state with it, and a coordinator that lived
/// there never comes back to its gate: the clock looks at the cluster's membership (Orleans'
/// verdict, through <see cref="IManagementGrain"/>) every <see cref="MembershipPeriod"/> and, when
/// a silo that was Active at the start is declared dead, abandons the run, so every coordinator
/// waiting here fails at once instead of holding its grain (and the next run) for minutes.
/// </summary>
[Reentrant]
public sealed class SimulationClockGrain : Grain, ISimulationClockGrain
{
    /// <summary>How often the clock looks for silos declared dead while its run lasts.</summary>
    public static readonly TimeSpan MembershipPeriod = TimeSpan.FromSeconds(1);

    private readonly HashSet<long> _running = [];
    private readonly Dictionary<long, (long AtNs, TaskCompletionSource Go)> _waiting = [];
    private readonly Dictionary<long, List<TaskWakeUp>> _wakes = [];
    private readonly Dictionary<long, long[]> _spacesOf = [];
    private readonly Dictionary<long, (long Other, bool SharesNode)[]> _neighbours = [];
    private readonly Dictionary<long, long> _horizonOf = [];
    private readonly Dictionary<long, Task> _advanceOf = [];
    private long[] _spaces = [];
    private long _endNs;
    private int _releasing;
    private string? _abandoned;
    private bool _started;
    private IGrainTimer? _watch;
    private MembershipEntry[] _members = [];

    public async Task Start(long[] coordinators, long[][] spacesOf, long[] spaces, int[][] nodesOf)
    {
        ArgumentNullException.ThrowIfNull(coordinators);
        ArgumentNullException.ThrowIfNull(spacesOf);
        ArgumentNullException.ThrowIfNull(spaces);
        ArgumentNullException.ThrowIfNull(nodesOf);
        if (spacesOf.Length != coordinators.Length || nodesOf.Length != coordinators.Length)
        {
            throw new ArgumentException("one list of address spaces and one of nodes per coordinator");
        }
        _running.Clear();
        _running.UnionWith(coordinators);
        _waiting.Clear();
        _wakes.Clear();
        _spacesOf.Clear();
        _horizonOf.Clear();
        _advanceOf.Clear();
        _neighbours.Clear();
        for (var i = 0; i < coordinators.Length; i++)
        {
            _spacesOf[coordinators[i]] = spacesOf[i];
        }
        foreach (var (coordinator, others) in Neighbours(coordinators, spacesOf, nodesOf))
        {
            _neighbours[coordinator] = others;
        }
        _spaces = spaces;
        _endNs = 0;
        _abandoned = null;
        _started = true;
        _members = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        _watch?.Dispose();
        // Interleaved: the coordinators' calls wait here for as long as the run lasts.
        _watch = this.RegisterGrainTimer(WatchMembershipAsync, new GrainTimerCreationOptions(MembershipPeriod, MembershipPeriod) { Interleave = true });
    }

    public async Task Reach(long coordinator, long atNs, PteRef[] woken, long wokenAtNs)
    {
        RequireRun();
        AddWakes(woken, wokenAtNs);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[coordinator] = (atNs, go);
        Pump(coordinator, andItself: true);
        await go.Task;
    }

    public Task Finish(long coordinator, long endNs, PteRef[] woken, long wokenAtNs)
    {
        if (!_started)
        {
            // A coordinator on its way out of a run whose clock was lost: nothing waits for it here.
            return Task.CompletedTask;
        }
        AddWakes(woken, wokenAtNs);
        _running.Remove(coordinator);
        _endNs = Math.Max(_endNs, endNs);
        Pump(coordinator, andItself: false);
        return Task.CompletedTask;
    }

    public async Task<long> Complete()
    {
        _watch?.Dispose();
        RequireRun();
        if (_releasing != 0 || _running.Count != 0)
        {
            throw new InvalidOperationException("the run's clock completes only after every coordinator finished");
        }
        // Every task runs to the migration's end, and is woken if the last unlock woke it.
        await AdvanceSpaces(_endNs, _spaces);
        return _endNs;
    }

    /// <summary>
    /// Lets go every waiting coordinator that nothing it could affect precedes, each after its
    /// tasks reached its time. Only <paramref name="changed"/> (which now waits, or finished) and
    /// its neighbours can have become free to go, so only they are looked at.
    /// </summary>
    private void Pump(long changed, bool andItself)
    {
        List<(long Coordinator, long AtNs, TaskCompletionSource Go)>? ready = null;
        var neighbours = _neighbours.GetValueOrDefault(changed) ?? [];
        for (var i = andItself ? -1 : 0; i < neighbours.Length; i++)
        {
            var coordinator = i < 0 ? changed : neighbours[i].Other;
            if (_waiting.TryGetValue(coordinator, out var waiting) && MayGo(coordinator, waiting.AtNs))
            {
                (ready ??= []).Add((coordinator, waiting.AtNs, waiting.Go));
            }
        }
        if (ready is null)
        {
            return;
        }
        foreach (var (coordinator, _, _) in ready)
        {
            // From here it counts as running: what it could affect waits until it says its next time.
            _waiting.Remove(coordinator);
        }
        foreach (var (coordinator, atNs, go) in ready)
        {
            _ = Release(coordinator, atNs, go);
        }
    }

    private bool MayGo(long coordinator, long atNs)
    {
        foreach (var (other, sharesNode) in _neighbours.GetValueOrDefault(coordinator) ?? [])
        {
            if (!_running.Contains(other))
            {
                continue;
            }
            if (!_waiting.TryGetValue(other, out var waiting))
            {
                // Between two of its gates: its next time is not known yet.
                return false;
            }
            if (waiting.AtNs < atNs || (waiting.AtNs == atNs && sharesNode && other < coordinator))
            {
                return false;
            }
        }
        return true;
    }

    private async Task Release(long coordinator, long atNs, TaskCompletionSource go)
    {
        _releasing++;
        try
        {
            await AdvanceSpaces(atNs, _spacesOf[coordinator]);
            go.TrySetResult();
        }
        catch (Exception exception)
        {
            // The coordinator fails with the tasks' error rather than waiting for ever.
            go.TrySetException(exception);
        }
        finally
        {
            _releasing--;
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _watch?.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>The first silo, Active when the run started, that the cluster declares dead (or forgets) abandons the run.</summary>
    private async Task WatchMembershipAsync(CancellationToken cancellation)
    {
        Dictionary<SiloAddress, SiloStatus> now;
        try
        {
            now = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: false).WaitAsync(MembershipPeriod * 5, cancellation);
        }
        catch (Exception exception) when (exception is TimeoutException or OrleansException or OperationCanceledException)
        {
            // No verdict this time: the next period asks again.
            return;
        }
        if (_abandoned is null && _members.FirstOrDefault(m => now.GetValueOrDefault(m.SiloAddress, SiloStatus.Dead) == SiloStatus.Dead) is { } dead)
        {
            AbandonRun($"silo {dead.SiloName} ({dead.SiloAddress.Endpoint}) left the cluster during the run (Dead); the run was abandoned");
        }
    }

    public Task Abandon(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        AbandonRun(reason);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A gate of a run this activation knows, still going. A clock whose silo was lost comes back
    /// as a fresh activation that never saw its run start: it fails the coordinators that reach it
    /// rather than letting them go with no window at all.
    /// </summary>
    private void RequireRun()
    {
        if (!_started)
        {
            throw new InvalidOperationException($"the run's simulated clock ({this.GetPrimaryKeyString()}) was lost with a silo that left the cluster during the run; the run was abandoned");
        }
        if (_abandoned is { } abandoned)
        {
            throw new InvalidOperationException(abandoned);
        }
    }

    /// <summary>Every coordinator waiting now fails with <paramref name="reason"/>, and so does every later gate.</summary>
    private void AbandonRun(string reason)
    {
        _watch?.Dispose();
        _abandoned = reason;
        foreach (var (_, go) in _waiting.Values)
        {
            go.TrySetException(new InvalidOperationException(reason));
        }
        _waiting.Clear();
    }

    /// <summary>The tasks of <paramref name="spaces"/> up to <paramref name="horizonNs"/>, each woken first if an unlock woke it.</summary>
    private async Task AdvanceSpaces(long horizonNs, long[] spaces)
    {
        var calls = new List<Task>(spaces.Length);
        foreach (var space in spaces)
        {
            var wakes = _wakes.Remove(space, out var list) ? [.. list] : Array.Empty<TaskWakeUp>();
            if (wakes.Length == 0 && _horizonOf.GetValueOrDefault(space) >= horizonNs)
            {
                // Already asked for (by a coordinator let go at the same time): wait until the tasks got there.
                if (_advanceOf.TryGetValue(space, out var pending) && !pending.IsCompleted)
                {
                    calls.Add(pending);
                }
                continue;
            }
            _horizonOf[space] = Math.Max(_horizonOf.GetValueOrDefault(space), horizonNs);
            var advance = GrainFactory.GetGrain<IAddressSpaceGrain>(space).AdvanceWorkload(_horizonOf[space], wakes);
            _advanceOf[space] = advance;
            calls.Add(advance);
        }
        await Task.WhenAll(calls);
    }

    private void AddWakes(PteRef[] woken, long atNs)
    {
        ArgumentNullException.ThrowIfNull(woken);
        foreach (var pte in woken)
        {
            if (!_wakes.TryGetValue(pte.Space, out var list))
            {
                _wakes[pte.Space] = list = [];
            }
            list.Add(new TaskWakeUp(pte.VirtualPage, atNs));
        }
    }

    /// <summary>For each coordinator, the others it could affect: those with an address space or a node in common (the node decides how a tie goes).</summary>
    private static IEnumerable<(long Coordinator, (long Other, bool SharesNode)[] Others)> Neighbours(long[] coordinators, long[][] spacesOf, int[][] nodesOf)
    {
        var bySpace = new Dictionary<long, List<int>>();
        var byNode = new Dictionary<int, List<int>>();
        for (var i = 0; i < coordinators.Length; i++)
        {
            foreach (var space in spacesOf[i])
            {
                Add(bySpace, space, i);
            }
            foreach (var node in nodesOf[i])
            {
                Add(byNode, node, i);
            }
        }
        for (var i = 0; i < coordinators.Length; i++)
        {
            var others = new Dictionary<long, bool>();
            foreach (var space in spacesOf[i])
            {
                foreach (var j in bySpace[space].Where(j => j != i))
                {
                    others.TryAdd(coordinators[j], false);
                }
            }
            foreach (var node in nodesOf[i])
            {
                foreach (var j in byNode[node].Where(j => j != i))
                {
                    others[coordinators[j]] = true;
                }
            }
            yield return (coordinators[i], [.. others.Select(o => (o.Key, o.Value))]);
        }
    }

    private static void Add<TKey>(Dictionary<TKey, List<int>> index, TKey key, int coordinator)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }
        list.Add(coordinator);
    }
}
