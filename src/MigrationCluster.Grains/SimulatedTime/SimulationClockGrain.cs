using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// Conservative windows over one run (docs/simulated-time.md). Reentrant: the coordinators wait
/// in <see cref="Reach"/> side by side. Only <see cref="Pump"/> lets one go, and only once every
/// coordinator still running has said when its next step is: the earliest (ties: the lower
/// coordinator id) goes after the tasks have reached its time. So between two windows exactly
/// one coordinator runs, and the order of events is the order of simulated time, never the
/// order messages arrive in.
/// </summary>
[Reentrant]
public sealed class SimulationClockGrain : Grain, ISimulationClockGrain
{
    private readonly SortedSet<long> _running = [];
    private readonly SortedDictionary<long, (long AtNs, TaskCompletionSource Go)> _waiting = [];
    private readonly Dictionary<long, List<TaskWakeUp>> _wakes = [];
    private readonly Dictionary<long, long[]> _spacesOf = [];
    private readonly Dictionary<long, long> _horizonOf = [];
    private long[] _spaces = [];
    private long _endNs;
    private bool _pumping;

    public Task Start(long[] coordinators, long[][] spacesOf, long[] spaces)
    {
        ArgumentNullException.ThrowIfNull(coordinators);
        ArgumentNullException.ThrowIfNull(spacesOf);
        ArgumentNullException.ThrowIfNull(spaces);
        if (spacesOf.Length != coordinators.Length)
        {
            throw new ArgumentException("one list of address spaces per coordinator", nameof(spacesOf));
        }
        _running.Clear();
        _running.UnionWith(coordinators);
        _waiting.Clear();
        _wakes.Clear();
        _spacesOf.Clear();
        _horizonOf.Clear();
        for (var i = 0; i < coordinators.Length; i++)
        {
            _spacesOf[coordinators[i]] = spacesOf[i];
        }
        _spaces = spaces;
        _endNs = 0;
        return Task.CompletedTask;
    }

    public async Task Reach(long coordinator, long atNs, PteRef[] woken, long wokenAtNs)
    {
        AddWakes(woken, wokenAtNs);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[coordinator] = (atNs, go);
        await Pump();
        await go.Task;
    }

    public async Task Finish(long coordinator, long endNs, PteRef[] woken, long wokenAtNs)
    {
        AddWakes(woken, wokenAtNs);
        _running.Remove(coordinator);
        _endNs = Math.Max(_endNs, endNs);
        await Pump();
    }

    public async Task<long> Complete()
    {
        // Every task runs to the migration's end, and is woken if the last unlock woke it.
        await AdvanceSpaces(_endNs, _spaces);
        return _endNs;
    }

    /// <summary>While every running coordinator waits: the earliest step goes, after the tasks reached it.</summary>
    private async Task Pump()
    {
        if (_pumping)
        {
            return;
        }
        _pumping = true;
        try
        {
            while (_running.Count > 0 && _running.All(_waiting.ContainsKey))
            {
                long next = -1, at = long.MaxValue;
                foreach (var c in _running)
                {
                    // _running is sorted: on a tie the lower id stays chosen.
                    if (_waiting[c].AtNs < at)
                    {
                        (next, at) = (c, _waiting[c].AtNs);
                    }
                }
                await AdvanceSpaces(at, _spacesOf[next]);
                var go = _waiting[next].Go;
                _waiting.Remove(next);
                go.SetResult();
            }
        }
        finally
        {
            _pumping = false;
        }
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
                continue;
            }
            _horizonOf[space] = Math.Max(_horizonOf.GetValueOrDefault(space), horizonNs);
            calls.Add(GrainFactory.GetGrain<IAddressSpaceGrain>(space).AdvanceWorkload(_horizonOf[space], wakes));
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
}
