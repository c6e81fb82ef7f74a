using System.Globalization;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Scenarios;

/// <summary>
/// Runs a <see cref="ScenarioDefinition"/> on an <see cref="IScenarioEngine"/> (the in-process
/// model or the grains): builds the processes and pages, makes the calls in order, and runs the
/// <see cref="InvariantChecker"/> after the setup and after every call. The scenario's logic is
/// here once, whatever the engine. A setup the machine cannot carry out (a node without free
/// frames for a first touch) is bad input, a <see cref="ScenarioFormatException"/>; a broken
/// invariant stops the run and is reported.
/// </summary>
public sealed class ScenarioRunner
{
    public const string ZeroPageLocation = "zero page";
    public const string UnmappedLocation = "unmapped";

    // The page at address 0: below mmap_min_addr, never mapped, so `unmapped` names it.
    private const long UnmappedVirtualPage = 0;

    private readonly ScenarioDefinition _scenario;
    private readonly string _file;
    private readonly IScenarioEngine _engine;
    // Where each region starts in each process that maps it (its VMA may be cut by munmap since).
    private readonly Dictionary<(int Process, ScenarioRegion Region), long> _bases = [];
    private readonly Dictionary<ScenarioRegion, int> _mappings = [];
    private readonly List<(int Pid, long VirtualPage, ScenarioPinKind Kind, PageRef Page)> _pins = [];

    // What the last get_mempolicy wrote to *mode (reported with its call).
    private object? _mode;

    // The MPOL_MF_* names of mbind's and move_pages' flags, for the calls' descriptions.
    private static readonly (int Flag, string Name)[] MpolFlagNames =
        [
            (MemPolicyFlags.MPOL_MF_STRICT, nameof(MemPolicyFlags.MPOL_MF_STRICT)),
            (MemPolicyFlags.MPOL_MF_MOVE, nameof(MemPolicyFlags.MPOL_MF_MOVE)),
            (MemPolicyFlags.MPOL_MF_MOVE_ALL, nameof(MemPolicyFlags.MPOL_MF_MOVE_ALL)),
            (MemPolicyFlags.MPOL_MF_LAZY, nameof(MemPolicyFlags.MPOL_MF_LAZY)),
        ];

    // Last write wins, per logical page: the checker compares every readable page against it.
    private readonly Dictionary<LogicalPage, ulong> _expectedContents = [];

    /// <summary>A scenario on the in-process model.</summary>
    public ScenarioRunner(ScenarioDefinition scenario, string file)
        : this(scenario, file, new ModelScenarioEngine())
    {
    }

    public ScenarioRunner(ScenarioDefinition scenario, string file, IScenarioEngine engine)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(engine);
        _scenario = scenario;
        _file = file;
        _engine = engine;
    }

    /// <summary>A test seam: runs once the pages are set up (tests use it to break an invariant on purpose).</summary>
    internal Func<Task>? AfterSetUp { get; init; }

    public async Task<ScenarioResult> RunAsync()
    {
        await _engine.Start(_scenario);
        await SetUp();
        int checks = 1;
        string? violation = await Check();
        int checkEvery = CheckInterval();
        var results = new List<ScenarioCallResult>();
        int expectationsChecked = 0, expectationsFailed = 0;
        // The counters after one call are the counters before the next: one read of them per call.
        var before = await _engine.VmStat();
        long simulatedBefore = await _engine.MigrationSimulatedNs();
        for (int i = 0; i < _scenario.Calls.Count && violation is null; i++)
        {
            ScenarioCall call = _scenario.Calls[i];
            long returnValue;
            IReadOnlyList<object>? status;
            _mode = null;
            try
            {
                (returnValue, status) = await Execute(call);
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
            {
                // The machine refused a state it cannot be in: a model bug, reported as a broken
                // invariant of this call (exit 1, the result still written), never a crash.
                (returnValue, status) = (0, null);
                violation = $"the model failed during the call: {exception.Message}";
            }

            var after = await _engine.VmStat();
            var delta = after.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key]);
            long simulatedAfter = await _engine.MigrationSimulatedNs();
            long simulatedNs = simulatedAfter - simulatedBefore;
            before = after;
            simulatedBefore = simulatedAfter;
            if (violation is null && ((i + 1) % checkEvery == 0 || i == _scenario.Calls.Count - 1))
            {
                checks++;
                violation = await Check();
                if (violation is not null && checkEvery > 1)
                {
                    violation = $"{violation} (found after call {i + 1}; this scenario is checked every {checkEvery} calls)";
                }
            }

            var mismatches = new List<string>();
            bool? met = null;
            if (call.Expect is { } expect)
            {
                expectationsChecked++;
                Compare(expect, returnValue, status, mismatches);
                foreach (var (counter, count) in expect.VmStat ?? new Dictionary<string, long>())
                {
                    if (delta.GetValueOrDefault(counter) != count)
                    {
                        mismatches.Add($"{counter} changed by {delta.GetValueOrDefault(counter)}, expected {count}");
                    }
                }
                if (expect.Mode is { } mode && mode != Convert.ToString(_mode, CultureInfo.InvariantCulture))
                {
                    mismatches.Add($"mode {_mode ?? "not written"}, expected {mode}");
                }

                met = mismatches.Count == 0;
                expectationsFailed += met == true ? 0 : 1;
            }

            results.Add(new ScenarioCallResult(
                i + 1,
                call.Line,
                call.Name,
                _scenario.Processes[call.Pid].Name,
                Describe(call),
                returnValue,
                returnValue < 0 ? Errno.Name((int)returnValue) : null,
                status,
                WithoutIdleSizes(delta),
                met,
                mismatches,
                violation) { Mode = _mode, SimulatedNs = simulatedNs });
        }

        var tasks = new List<ScenarioTaskPolicy>();
        foreach (ScenarioProcess p in _scenario.Processes)
        {
            MemPolicy? policy = await _engine.TaskPolicy(p.Id);
            tasks.Add(new ScenarioTaskPolicy(p.Name, policy is null ? MemPolicyNames.Of(MemPolicyMode.Default) : ModeText(policy.ModeWord), [.. policy?.Nodes ?? []]));
        }

        return new ScenarioResult(
            _scenario.Name,
            _file,
            results,
            await Locations(),
            WithoutIdleSizes(before),
            new ScenarioInvariantVerdict(checks, violation is null ? 0 : 1, violation),
            new ScenarioExpectationSummary(expectationsChecked, expectationsFailed),
            _engine.Name)
        {
            Tasks = tasks,
            SimulatedNs = await _engine.MigrationSimulatedNs(),
        };
    }

    /// <summary>A mode word as a name with its mode flags: <c>interleave|MPOL_F_STATIC_NODES</c> (a number for a mode past MPOL_MAX).</summary>
    public static string ModeText(int modeWord) =>
        MemPolicyNames.Of((MemPolicyMode)(modeWord & ~MemPolicyModeFlags.MPOL_MODE_FLAGS)) + MemPolicyModeFlags.Describe(modeWord);

    // ---- setup ---------------------------------------------------------------------------------

    private async Task SetUp()
    {
        foreach (ScenarioProcess p in _scenario.Processes)
        {
            await _engine.CreateProcess(p);
            if (p.Policy is { } taskPolicy)
            {
                // As numactl does before it execs the program: set_mempolicy by the process's task.
                int rc = await _engine.SetMempolicy(p.Id, taskPolicy.Mode, taskPolicy.Nodes, taskPolicy.Maxnode);
                if (rc != 0)
                {
                    throw Problem(p.PolicyLine, $"process '{p.Name}': its policy is what set_mempolicy(2) refuses with {Errno.Name(rc)}");
                }
            }
        }

        foreach (ScenarioRegion r in _scenario.Regions)
        {
            int mapping;
            long start;
            switch (r.Kind)
            {
                case ScenarioRegionKind.AnonPrivate:
                    _bases[(r.Owner, r)] = await _engine.MapAnonPrivate(r.Owner, r.Pages, r.Writable, r.FolioOrder, r.FallbackOrders);
                    continue;
                case ScenarioRegionKind.AnonShared:
                    (mapping, start) = await _engine.MapAnonShared(r.Owner, r.Pages);
                    break;
                case ScenarioRegionKind.FilePrivate:
                    (mapping, start) = await _engine.MapFilePrivate(r.Owner, r.Pages, r.Writable);
                    break;
                default:
                    (mapping, start) = await _engine.MapFile(r.Owner, r.Pages, r.Writable);
                    break;
            }

            _bases[(r.Owner, r)] = start;
            _mappings[r] = mapping;
            foreach (int other in r.MappedBy)
            {
                _bases[(other, r)] = r.Kind == ScenarioRegionKind.FilePrivate
                    ? await _engine.MapPrivate(other, mapping, r.Pages, r.Writable)
                    : await _engine.MapShared(other, mapping, r.Pages, r.Writable);
            }
        }

        foreach (var ((process, region), start) in _bases)
        {
            if (region.Policy is { } policy)
            {
                // As mbind(2) without moving, from each process that maps the region: the same
                // checks, and the node mask kept to the nodes with memory its cpuset allows.
                int rc = await _engine.Mbind(process, start, region.Pages, policy.Mode, policy.Nodes, policy.Maxnode, 0);
                if (rc != 0)
                {
                    throw Problem(region.Line, $"region '{region.Name}': its policy is what mbind(2) refuses with {Errno.Name(rc)} (no node of the mask has memory in process '{_scenario.Processes[process].Name}''s cpuset)");
                }
            }
        }

        foreach (ScenarioPageSetup setup in _scenario.Setups)
        {
            foreach (long index in setup.Indexes)
            {
                await SetUpPage(setup, index);
            }
        }

        foreach (ScenarioProcess p in _scenario.Processes.Where(p => p.Exited))
        {
            ForgetAllContents(p.Id);
            await _engine.Exit(p.Id, p.Zombie);
        }

        if (AfterSetUp is not null)
        {
            await AfterSetUp();
        }
    }

    private async Task SetUpPage(ScenarioPageSetup setup, long index)
    {
        int first = setup.TouchedBy[0];
        long vpage = VirtualPage(first, setup.Region, index);
        // First touch: the faulting task runs on the given node, so the page is allocated there.
        AccessResult touch = await _engine.Touch(first, vpage, setup.Node, setup.WriteValue);
        if (touch.Status == AccessStatus.Done && setup.WriteValue is { } value)
        {
            _expectedContents[LogicalOf(first, setup.Region, index)] = PageContents.Make(value);
        }

        if (touch.Status != AccessStatus.Done)
        {
            throw Problem(setup.Line, $"touching {setup.Region.Name}:{index} gave {StatusText(touch)}");
        }

        if (touch.Page.IsNone && (setup.Writeback || setup.Dirty))
        {
            throw Problem(setup.Line, $"{setup.Region.Name}:{index}: a read fault on private anonymous memory maps the shared zero page (do_anonymous_page), which has no writeback or dirty bit; add 'write:' to give the page a frame of its own");
        }

        // A read fault on private anonymous memory maps the zero page wherever the task runs.
        if (setup.Node is { } node && !touch.Page.IsNone && touch.Page.Node != node)
        {
            IMachineView machine = await _engine.View();
            string why = !machine.NodeExists(node) || machine.Capacity(node) == 0
                ? $"node {node} has no memory, so a task there allocates from its fallback list"
                : machine.FreePages(node) == 0 ? "it has no free frame; raise frames_per_node" : "the region's policy or the process's cpuset sends it elsewhere";
            throw Problem(setup.Line, $"{setup.Region.Name}:{index} could not be placed on node {node}: it landed on node {touch.Page.Node} ({why})");
        }

        foreach (int other in setup.TouchedBy.Skip(1))
        {
            AccessResult shared = await _engine.Read(other, VirtualPage(other, setup.Region, index));
            if (shared.Status != AccessStatus.Done)
            {
                throw Problem(setup.Line, $"process '{_scenario.Processes[other].Name}' touching {setup.Region.Name}:{index} gave {StatusText(shared)}");
            }
        }

        if (setup.Writeback || setup.Dirty)
        {
            // Dirty after writeback: re-dirtied while under writeback, as a page written during its I/O is.
            await _engine.SetPageState(touch.Page, setup.Writeback, setup.Dirty);
        }

        if (setup.Pin is { } pin)
        {
            AccessResult pinned = await Pin(first, vpage, pin);
            if (pinned.Status != AccessStatus.Done)
            {
                throw Problem(setup.Line, $"pinning {setup.Region.Name}:{index} gave {StatusText(pinned)}");
            }
        }
    }

    // ---- calls ---------------------------------------------------------------------------------

    private async Task<(long Return, IReadOnlyList<object>? Status)> Execute(ScenarioCall call)
    {
        switch (call.Kind)
        {
            case ScenarioCallKind.MovePages:
                MovePagesResult moved = await _engine.MovePages(call.Caller, call.Pid, VirtualPages(call), call.Nodes, call.Flags, call.InitialStatus);
                return (moved.ReturnValue, [.. moved.Status.Select(ScenarioStatus.Of)]);
            case ScenarioCallKind.MigratePages:
                return (await _engine.MigratePages(call.Caller, call.Pid, call.FromNodes, call.ToNodes), null);
            case ScenarioCallKind.Mbind:
                var pages = VirtualPages(call);
                return (await _engine.Mbind(call.Pid, pages[0], pages.Count, call.ModeWord, call.NullNodemask ? null : call.Nodes ?? [], call.Maxnode, call.Flags), null);
            case ScenarioCallKind.SetMempolicy:
                return (await _engine.SetMempolicy(call.Pid, call.ModeWord, call.NullNodemask ? null : call.Nodes ?? [], call.Maxnode), null);
            case ScenarioCallKind.GetMempolicy:
                return await GetMempolicy(call);
            case ScenarioCallKind.Fork:
                await Fork(call.Pid, call.Child);
                return (0, null);
            case ScenarioCallKind.Mlock:
                var locked = VirtualPages(call);
                return (await _engine.Mlock(call.Pid, locked[0], locked.Count, call.Flags), null);
            case ScenarioCallKind.Munlock:
                var unlocked = VirtualPages(call);
                return (await _engine.Munlock(call.Pid, unlocked[0], unlocked.Count), null);
            case ScenarioCallKind.SetCpuset:
                await _engine.SetCpuset(call.Pid, call.Nodes!);
                return (0, null);
            case ScenarioCallKind.Migrate:
                return await Migrate(call);
            case ScenarioCallKind.Read:
                return await Accesses(call, page => _engine.Read(call.Pid, VirtualPage(call.Pid, page)));
            case ScenarioCallKind.Write:
                return await Accesses(call, page => Write(call.Pid, page, call.Value));
            case ScenarioCallKind.Pin:
                return await Accesses(call, page => Pin(call.Pid, VirtualPage(call.Pid, page), call.PinKind));
            case ScenarioCallKind.Unpin:
                return await Accesses(call, page => Unpin(call.Pid, VirtualPage(call.Pid, page), call.PinKind));
            case ScenarioCallKind.Munmap:
                var range = VirtualPages(call);
                ForgetContents(call.Pid, call.Pages);
                return (await _engine.Munmap(call.Pid, range[0], range.Count), null);
            case ScenarioCallKind.Exit:
                ForgetAllContents(call.Pid);
                await _engine.Exit(call.Pid, call.Zombie);
                return (0, null);
            default:
                int truncated = await _engine.Truncate(_mappings[call.Region!], call.FromIndex);
                foreach (LogicalPage gone in _expectedContents.Keys.Where(k => k.Mapping == _mappings[call.Region!] && k.Key >= call.FromIndex).ToList())
                {
                    _expectedContents.Remove(gone);
                }

                // The private mappings' copies past the end go too (unmap_mapping_range, even_cows).
                foreach (var (process, region) in _bases.Keys.Where(k => k.Region == call.Region && k.Region.Kind == ScenarioRegionKind.FilePrivate).ToList())
                {
                    ForgetContents(process, LongRange(call.FromIndex, region.Pages - call.FromIndex).Select(i => new ScenarioPageRef(region, i)));
                }

                return (truncated, null);
        }
    }

    /// <summary>
    /// The kernel-internal migrate_pages() in a chosen mode (as compaction or NUMA balancing call
    /// it): the pages are isolated and handed to the protocol driver. Status per page: the node it
    /// is on afterwards, or the errno it failed with; the return is the number not migrated.
    /// </summary>
    private async Task<(long, IReadOnlyList<object>?)> Migrate(ScenarioCall call)
    {
        int target = call.Nodes![0];
        IMachineView machine = await _engine.View();
        var status = new object[call.Pages.Count];
        var requests = new List<MigrationRequest>();
        var positions = new List<int>();
        int notMigrated = 0;
        var vpages = VirtualPages(call);
        for (int i = 0; i < vpages.Count; i++)
        {
            Pte pte = machine.GetPte(call.Pid, vpages[i]);
            if (pte.Kind != PteKind.Present)
            {
                // Outside every VMA, or the zero page: no page to migrate (-EFAULT, as move_pages says).
                int errno = machine.FindVma(call.Pid, vpages[i]) is null || pte.Kind == PteKind.ZeroPage ? Errno.EFAULT
                    : pte.Kind == PteKind.None ? Errno.ENOENT : Errno.EBUSY;
                status[i] = Errno.Name(errno);
                notMigrated++;
            }
            else if (pte.Page.Node == target)
            {
                status[i] = target;
            }
            else if (FolioOf(machine, pte.Page) is var (head, order) && (requests.Any(q => q.Page == head) || !await _engine.IsolateForCompaction(head, _scenario.CompactUnevictableAllowed)))
            {
                status[i] = Errno.Name(Errno.EBUSY);
                notMigrated++;
            }
            else
            {
                // A page of a large folio queues the whole folio, by its head.
                requests.Add(new MigrationRequest(head, target, order));
                positions.Add(i);
            }
        }

        MigrateResult result = await _engine.MigrateIsolated(requests, call.Mode, call.Reason);
        for (int k = 0; k < requests.Count; k++)
        {
            status[positions[k]] = result.PageErrno[k] == 0 ? target : Errno.Name(result.PageErrno[k]);
        }

        return (result.ReturnValue < 0 ? result.ReturnValue : result.ReturnValue + notMigrated, status);
    }

    /// <summary>The head and order of the folio a page belongs to.</summary>
    private static (PageRef Head, int Order) FolioOf(IMachineView machine, PageRef page)
    {
        int order = machine.Frame(page.Node, page.Pfn).Order;
        return (new PageRef(page.Node, page.Pfn & ~((1L << order) - 1)), order);
    }

    /// <summary>fork: the child sees every region of the parent at the same addresses, its private pages with the parent's contents.</summary>
    private async Task Fork(int parent, int child)
    {
        await _engine.Fork(parent, child);
        foreach (var ((process, region), start) in _bases.Where(b => b.Key.Process == parent).ToList())
        {
            _bases[(child, region)] = start;
            if (region.Kind is not (ScenarioRegionKind.AnonPrivate or ScenarioRegionKind.FilePrivate))
            {
                continue;
            }

            for (long i = 0; i < region.Pages; i++)
            {
                if (_expectedContents.TryGetValue(LogicalOf(parent, region, i), out ulong contents))
                {
                    _expectedContents[LogicalOf(child, region, i)] = contents;
                }
            }
        }
    }

    /// <summary>get_mempolicy: the return value; the nodemask written as the status (none without a buffer); the mode written.</summary>
    private async Task<(long, IReadOnlyList<object>?)> GetMempolicy(ScenarioCall call)
    {
        long? addr = call.Address is { } page ? VirtualPage(call.Pid, page) : null;
        GetMempolicyResult r = await _engine.GetMempolicy(call.Pid, call.WantNodemask, call.Maxnode, addr, call.Flags);
        if (r.ReturnValue == 0)
        {
            _mode = (call.Flags & MemPolicyModeFlags.MPOL_F_NODE) != 0 ? r.Mode : ModeText(r.Mode);
        }

        return (r.ReturnValue, r.Nodemask is null ? null : [.. r.Nodemask.Select(n => (object)n)]);
    }

    private static async Task<(long, IReadOnlyList<object>?)> Accesses(ScenarioCall call, Func<ScenarioPageRef, Task<AccessResult>> access)
    {
        var status = new List<object>();
        int notDone = 0;
        foreach (ScenarioPageRef page in call.Pages)
        {
            AccessResult r = await access(page);
            status.Add(r.Status != AccessStatus.Done ? StatusText(r) : r.Page.IsNone ? ScenarioStatus.ZeroPage : r.Page.Node);
            notDone += r.Status == AccessStatus.Done ? 0 : 1;
        }

        return (notDone, status);
    }

    /// <summary>
    /// The logical page a region's page is: a private anonymous page is its process's virtual
    /// page; a shared one is its file's index (a region maps its object from offset 0).
    /// </summary>
    private LogicalPage LogicalOf(int pid, ScenarioRegion region, long index) => region.Kind is ScenarioRegionKind.AnonPrivate or ScenarioRegionKind.FilePrivate
        ? new LogicalPage(pid, 0, VirtualPage(pid, region, index))
        : new LogicalPage(-1, _mappings[region], index);

    /// <summary>Unmapped private pages hold nothing any more (a file's pages stay in its cache).</summary>
    private void ForgetContents(int pid, IEnumerable<ScenarioPageRef> pages)
    {
        foreach (ScenarioPageRef page in pages)
        {
            if (page.Region is { Kind: ScenarioRegionKind.AnonPrivate or ScenarioRegionKind.FilePrivate } region)
            {
                _expectedContents.Remove(LogicalOf(pid, region, page.Index));
            }
        }
    }

    /// <summary>All of a process's private pages (at exit).</summary>
    private void ForgetAllContents(int pid) => ForgetContents(pid, _scenario.Regions
        .Where(r => _bases.ContainsKey((pid, r)))
        .SelectMany(r => LongRange(0, r.Pages).Select(i => new ScenarioPageRef(r, i))));

    private static IEnumerable<long> LongRange(long start, long count)
    {
        for (long v = start; v < start + count; v++)
        {
            yield return v;
        }
    }

    private async Task<AccessResult> Write(int pid, ScenarioPageRef page, ulong value)
    {
        AccessResult r = await _engine.Write(pid, VirtualPage(pid, page), value);
        if (r.Status == AccessStatus.Done)
        {
            _expectedContents[LogicalOf(pid, page.Region!, page.Index)] = PageContents.Make(value);
        }

        return r;
    }

    private async Task<AccessResult> Pin(int pid, long vpage, ScenarioPinKind kind)
    {
        AccessResult r = await _engine.Pin(pid, vpage, dma: kind == ScenarioPinKind.Dma);
        if (r.Status == AccessStatus.Done)
        {
            _pins.Add((pid, vpage, kind, r.Page));
        }

        return r;
    }

    /// <summary>Drops the latest pin of this kind this process took on the page; none held is -EINVAL.</summary>
    private async Task<AccessResult> Unpin(int pid, long vpage, ScenarioPinKind kind)
    {
        int at = _pins.FindLastIndex(p => p.Pid == pid && p.VirtualPage == vpage && p.Kind == kind);
        if (at < 0)
        {
            return AccessResult.Fail(-Errno.EINVAL);
        }

        PageRef page = _pins[at].Page;
        _pins.RemoveAt(at);
        await _engine.Unpin(page, dma: kind == ScenarioPinKind.Dma);
        return new AccessResult(AccessStatus.Done, page, 0, 0, 0, default);
    }

    // ---- checks and results ----------------------------------------------------------------------

    /// <summary>
    /// How much invariant checking a scenario may do in all, in pages and processes read. A check
    /// reads the whole machine, so a check after every call costs processes x calls: up to this
    /// budget every call is checked; past it every n-th call and the last are, so running stays
    /// linear in the scenario's size (docs/scenarios.md, "Limits").
    /// </summary>
    public const long InvariantCheckBudget = 1_000_000;

    /// <summary>Check after every how many calls: 1 unless the calls times the machine's size pass <see cref="InvariantCheckBudget"/>.</summary>
    private int CheckInterval()
    {
        long size = _scenario.Processes.Count + _bases.Sum(b => b.Key.Region.Pages);
        long work = size * _scenario.Calls.Count;
        return (int)Math.Clamp((work + InvariantCheckBudget - 1) / InvariantCheckBudget, 1, Math.Max(1, _scenario.Calls.Count));
    }

    /// <summary>The counters a result shows: the per-size stats of sizes that counted nothing are left out (a row each would bury the rest).</summary>
    private static IReadOnlyDictionary<string, long> WithoutIdleSizes(IReadOnlyDictionary<string, long> counters) =>
        counters.Where(kv => kv.Value != 0 || !VmStat.IsPerSizeStat(kv.Key)).ToDictionary();

    private async Task<string?> Check()
    {
        try
        {
            InvariantChecker.Check(await _engine.View(), migrating: null, _expectedContents);
            InvariantChecker.CheckSplitCounters(await _engine.VmStat());
            return null;
        }
        catch (InvariantViolationException exception)
        {
            return exception.Message;
        }
    }

    private static void Compare(ScenarioExpectation expect, long returnValue, IReadOnlyList<object>? status, List<string> mismatches)
    {
        if (expect.ReturnValue is { } r && r != returnValue)
        {
            mismatches.Add($"return {returnValue}, expected {r}");
        }

        string actualErrno = returnValue < 0 ? Errno.Name((int)returnValue) : "0";
        if (expect.Errno is { } e && e != actualErrno)
        {
            mismatches.Add($"errno {actualErrno}, expected {e}");
        }

        if (expect.Status is { } s)
        {
            var actual = status?.Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)!).ToList() ?? [];
            if (!actual.SequenceEqual(s))
            {
                mismatches.Add($"status [{string.Join(", ", actual)}], expected [{string.Join(", ", s)}]");
            }
        }
    }

    private async Task<List<ScenarioPageLocation>> Locations()
    {
        IMachineView machine = await _engine.View();
        var locations = new List<ScenarioPageLocation>();
        // Each process's regions in the scenario's order, found once (not every region per process).
        var order = _scenario.Regions.Select((r, i) => (r, i)).ToDictionary(x => x.r, x => x.i);
        var mapped = _bases.Keys.ToLookup(k => k.Process, k => k.Region);
        foreach (ScenarioProcess p in _scenario.Processes)
        {
            foreach (ScenarioRegion r in mapped[p.Id].OrderBy(r => order[r]))
            {
                long start = _bases[(p.Id, r)];
                for (long i = 0; i < r.Pages; i++)
                {
                    long vpage = start + i;
                    Pte pte = machine.GetPte(p.Id, vpage);
                    locations.Add(pte.Kind switch
                    {
                        PteKind.Present => new ScenarioPageLocation(p.Name, r.Name, i, vpage, pte.Page.ToString(), pte.Page.Node, pte.Page.Pfn)
                        {
                            Mlocked = machine.Frame(pte.Page.Node, pte.Page.Pfn).Has(PageFlags.Mlocked) ? true : null,
                            Unevictable = machine.Frame(pte.Page.Node, pte.Page.Pfn).Has(PageFlags.Unevictable) ? true : null,
                        },
                        PteKind.Migration => new ScenarioPageLocation(p.Name, r.Name, i, vpage, "migration entry", pte.Page.Node, pte.Page.Pfn),
                        PteKind.ZeroPage => new ScenarioPageLocation(p.Name, r.Name, i, vpage, ZeroPageLocation, null, null),
                        _ when machine.FindVma(p.Id, vpage) is null => new ScenarioPageLocation(p.Name, r.Name, i, vpage, UnmappedLocation, null, null),
                        _ => new ScenarioPageLocation(p.Name, r.Name, i, vpage, "not present", null, null),
                    });
                }
            }
        }

        return locations;
    }

    private string Describe(ScenarioCall call)
    {
        var parts = new List<string>();
        if (call.Caller != call.Pid)
        {
            parts.Add($"caller={_scenario.Processes[call.Caller].Name}");
        }

        if (call.Pages.Count > 0)
        {
            parts.Add((call.Kind is ScenarioCallKind.Mbind or ScenarioCallKind.Munmap or ScenarioCallKind.Mlock or ScenarioCallKind.Munlock ? "range=" : "pages=") + PageList(call.Pages));
        }

        switch (call.Kind)
        {
            case ScenarioCallKind.MovePages:
                parts.Add(call.Nodes is null ? "nodes=null (query)" : $"nodes=[{string.Join(",", call.Nodes)}]");
                if (call.InitialStatus is { } initial)
                {
                    parts.Add($"initial_status=[{string.Join(",", initial.Select(ScenarioStatus.Token))}]");
                }

                break;
            case ScenarioCallKind.MigratePages:
                parts.Add($"from=[{string.Join(",", call.FromNodes)}] to=[{string.Join(",", call.ToNodes)}]");
                break;
            case ScenarioCallKind.Mbind or ScenarioCallKind.SetMempolicy:
                parts.Add($"{(call.Kind == ScenarioCallKind.Mbind ? "policy" : "mode")}={ModeText(call.ModeWord)} nodes={(call.NullNodemask ? "null" : $"[{string.Join(",", call.Nodes ?? [])}]")}");
                if (call.Maxnode != NumaSyscalls.FullMaxnode(call.Nodes))
                {
                    parts.Add($"maxnode={call.Maxnode}");
                }

                break;
            case ScenarioCallKind.GetMempolicy:
                if (call.Address is { } addr)
                {
                    parts.Add($"addr={addr}");
                }

                parts.Add(call.WantNodemask ? $"maxnode={call.Maxnode}" : "nodemask=null");
                break;
            case ScenarioCallKind.Fork:
                parts.Add($"child={_scenario.Processes[call.Child].Name}");
                break;
            case ScenarioCallKind.SetCpuset:
                parts.Add($"mems=[{string.Join(",", call.Nodes!)}]");
                break;
            case ScenarioCallKind.Migrate:
                parts.Add($"node={call.Nodes![0]} mode={MigrateNames.Of(call.Mode)}");
                break;
            case ScenarioCallKind.Write:
                parts.Add($"value={call.Value}");
                break;
            case ScenarioCallKind.Pin or ScenarioCallKind.Unpin:
                parts.Add($"kind={call.PinKind.ToString().ToLowerInvariant()}");
                break;
            case ScenarioCallKind.Truncate:
                parts.Add($"region={call.Region!.Name} from={call.FromIndex}");
                break;
        }

        if (call.Flags != 0)
        {
            parts.Add("flags=" + FlagNames(call.Flags, call.Kind));
        }

        return string.Join(' ', parts);
    }

    private static string FlagNames(int flags, ScenarioCallKind kind)
    {
        (int Flag, string Name)[] known = kind switch
        {
            ScenarioCallKind.GetMempolicy =>
            [
                (MemPolicyModeFlags.MPOL_F_NODE, nameof(MemPolicyModeFlags.MPOL_F_NODE)),
                (MemPolicyModeFlags.MPOL_F_ADDR, nameof(MemPolicyModeFlags.MPOL_F_ADDR)),
                (MemPolicyModeFlags.MPOL_F_MEMS_ALLOWED, nameof(MemPolicyModeFlags.MPOL_F_MEMS_ALLOWED)),
            ],
            ScenarioCallKind.Mlock => [(MlockFlags.MLOCK_ONFAULT, nameof(MlockFlags.MLOCK_ONFAULT))],
            _ => MpolFlagNames,
        };
        int rest = known.Aggregate(flags, (f, k) => f & ~k.Flag);
        var names = known.Where(k => (flags & k.Flag) != 0).Select(k => k.Name).ToList();
        if (rest != 0)
        {
            names.Add($"0x{rest:x}");
        }

        return string.Join('|', names);
    }

    /// <summary>"heap:0-3,data:5": consecutive indexes of one region collapse into a range.</summary>
    private static string PageList(IReadOnlyList<ScenarioPageRef> pages)
    {
        var parts = new List<string>();
        for (int i = 0; i < pages.Count;)
        {
            int j = i;
            while (j + 1 < pages.Count && pages[j + 1].Region == pages[i].Region && pages[j + 1].Index == pages[j].Index + 1)
            {
                j++;
            }

            parts.Add(i == j ? pages[i].ToString() : $"{pages[i]}-{pages[j].Index}");
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private List<long> VirtualPages(ScenarioCall call) =>
        [.. call.Pages.Select(p => p.Region is null ? UnmappedVirtualPage : VirtualPage(call.Pid, p.Region, p.Index))];

    private long VirtualPage(int process, ScenarioRegion region, long index) => _bases[(process, region)] + index;

    private long VirtualPage(int process, ScenarioPageRef page) => page.Region is null ? UnmappedVirtualPage : VirtualPage(process, page.Region, page.Index);

    private static string StatusText(AccessResult r) => r.Status switch
    {
        AccessStatus.Wait => "wait",
        AccessStatus.Error => Errno.Name(r.Errno),
        _ => "done",
    };

    private ScenarioFormatException Problem(int line, string problem) => new(_file, line, problem);
}
