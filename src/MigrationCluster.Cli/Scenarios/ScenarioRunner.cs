using System.Globalization;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Invariants;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;

namespace MigrationCluster.Cli.Scenarios;

/// <summary>
/// Runs a <see cref="ScenarioDefinition"/> on the in-process model (<see cref="MemorySystem"/> and
/// <see cref="NumaSyscalls"/>): builds the processes and pages, makes the calls in order, and runs
/// the <see cref="InvariantChecker"/> after the setup and after every call. A setup the model cannot
/// carry out (a node without free frames for a first touch) is bad input, a
/// <see cref="ScenarioFormatException"/>; a broken invariant stops the run and is reported.
/// </summary>
public sealed class ScenarioRunner
{
    private readonly ScenarioDefinition _scenario;
    private readonly string _file;
    private readonly MemorySystem _system;
    private readonly NumaSyscalls _syscalls;
    private readonly MigrationProtocol _protocol;
    private readonly Dictionary<(int Process, ScenarioRegion Region), Vma> _vmas = [];
    private readonly Dictionary<ScenarioRegion, int> _mappings = [];
    private readonly List<(int Pid, long VirtualPage, ScenarioPinKind Kind, PageRef Page)> _pins = [];

    // Last write wins, per logical page: the checker compares every readable page against it.
    private readonly Dictionary<LogicalPage, ulong> _expectedContents = [];

    public ScenarioRunner(ScenarioDefinition scenario, string file)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        _file = file;
        _system = new MemorySystem(scenario.Topology, new MemorySystemOptions { FramesPerNode = scenario.FramesPerNode });
        _syscalls = new NumaSyscalls(_system);
        _protocol = new MigrationProtocol(new InProcessMigrationBackend(_system));
    }

    /// <summary>A test seam: runs on the model once the pages are set up (tests use it to break an invariant on purpose).</summary>
    internal Action<MemorySystem>? AfterSetUp { get; init; }

    public async Task<ScenarioResult> RunAsync()
    {
        SetUp();
        int checks = 1;
        string? violation = Check();
        var results = new List<ScenarioCallResult>();
        int expectationsChecked = 0, expectationsFailed = 0;
        for (int i = 0; i < _scenario.Calls.Count && violation is null; i++)
        {
            ScenarioCall call = _scenario.Calls[i];
            var before = _system.VmStat.Snapshot();
            var (returnValue, status) = await Execute(call);
            var after = _system.VmStat.Snapshot();
            var delta = after.ToDictionary(kv => kv.Key, kv => kv.Value - before[kv.Key]);
            checks++;
            violation = Check();

            var mismatches = new List<string>();
            bool? met = null;
            if (call.Expect is { } expect)
            {
                expectationsChecked++;
                Compare(expect, returnValue, status, mismatches);
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
                delta,
                met,
                mismatches,
                violation));
        }

        return new ScenarioResult(
            _scenario.Name,
            _file,
            results,
            Locations(),
            _system.VmStat.Snapshot(),
            new ScenarioInvariantVerdict(checks, violation is null ? 0 : 1, violation),
            new ScenarioExpectationSummary(expectationsChecked, expectationsFailed));
    }

    // ---- setup ---------------------------------------------------------------------------------

    private void SetUp()
    {
        foreach (ScenarioProcess p in _scenario.Processes)
        {
            AddressSpaceMemory space = _system.CreateAddressSpace(p.HomeNode, p.Privileged);
            if (space.Id != p.Id)
            {
                throw new InvalidOperationException($"process {p.Name} got address space {space.Id}, expected {p.Id}");
            }
        }

        foreach (ScenarioRegion r in _scenario.Regions)
        {
            int mapping;
            switch (r.Kind)
            {
                case ScenarioRegionKind.AnonPrivate:
                    _vmas[(r.Owner, r)] = _system.Space(r.Owner).AddVma(r.Pages, VmaKind.AnonPrivate, 0, 0, r.Writable);
                    continue;
                case ScenarioRegionKind.AnonShared:
                    Vma shared = _system.MmapAnon(r.Owner, r.Pages, shared: true);
                    mapping = shared.Mapping;
                    _vmas[(r.Owner, r)] = shared;
                    break;
                default:
                    mapping = _system.CreateFile(r.Owner);
                    _vmas[(r.Owner, r)] = _system.MmapShared(r.Owner, mapping, 0, r.Pages, r.Writable);
                    break;
            }

            _mappings[r] = mapping;
            foreach (int other in r.MappedBy)
            {
                _vmas[(other, r)] = _system.MmapShared(other, mapping, 0, r.Pages, r.Writable);
            }
        }

        foreach (var ((process, region), vma) in _vmas)
        {
            if (region.Policy is { } policy)
            {
                _system.Space(process).SetPolicy(vma.Start, vma.End, policy);
            }
        }

        foreach (ScenarioPageSetup setup in _scenario.Setups)
        {
            foreach (long index in setup.Indexes)
            {
                SetUpPage(setup, index);
            }
        }

        AfterSetUp?.Invoke(_system);
    }

    private void SetUpPage(ScenarioPageSetup setup, long index)
    {
        int first = setup.TouchedBy[0];
        long vpage = VirtualPage(first, setup.Region, index);
        AddressSpaceMemory space = _system.Space(first);
        int home = space.HomeNode;
        AccessResult touch;
        try
        {
            // First touch: the faulting task runs on the given node, so the page is allocated there.
            space.HomeNode = setup.Node ?? home;
            touch = setup.WriteValue is { } value ? Write(first, vpage, value) : _system.Read(first, vpage);
        }
        finally
        {
            space.HomeNode = home;
        }

        if (touch.Status != AccessStatus.Done)
        {
            throw Problem(setup.Line, $"touching {setup.Region.Name}:{index} gave {StatusText(touch)}");
        }

        if (setup.Node is { } node && touch.Page.Node != node)
        {
            throw Problem(setup.Line, $"{setup.Region.Name}:{index} could not be placed on node {node} (it has no free frame; raise frames_per_node)");
        }

        foreach (int other in setup.TouchedBy.Skip(1))
        {
            AccessResult shared = _system.Read(other, VirtualPage(other, setup.Region, index));
            if (shared.Status != AccessStatus.Done)
            {
                throw Problem(setup.Line, $"process '{_scenario.Processes[other].Name}' touching {setup.Region.Name}:{index} gave {StatusText(shared)}");
            }
        }

        if (setup.Writeback)
        {
            _system.Node(touch.Page.Node).SetPageWriteback(touch.Page.Pfn);
        }

        if (setup.Dirty)
        {
            // Re-dirtied while under writeback, as a page written during its I/O is.
            _system.Node(touch.Page.Node).SetFlags(touch.Page.Pfn, PageFlags.Dirty);
        }

        if (setup.Pin is { } pin)
        {
            AccessResult pinned = Pin(first, vpage, pin);
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
                MovePagesResult moved = await _syscalls.MovePages(call.Caller, call.Pid, VirtualPages(call), call.Nodes, call.Flags);
                return (moved.ReturnValue, [.. moved.Status.Select(NodeOrErrno)]);
            case ScenarioCallKind.MigratePages:
                return (await _syscalls.MigratePagesSyscall(call.Caller, call.Pid, call.FromNodes, call.ToNodes), null);
            case ScenarioCallKind.Mbind:
                var pages = VirtualPages(call);
                return (await _syscalls.Mbind(call.Pid, pages[0], pages.Count, call.Policy, call.Nodes ?? [], call.Flags), null);
            case ScenarioCallKind.Migrate:
                return await Migrate(call);
            case ScenarioCallKind.Read:
                return Accesses(call, vpage => _system.Read(call.Pid, vpage));
            case ScenarioCallKind.Write:
                return Accesses(call, vpage => Write(call.Pid, vpage, call.Value));
            case ScenarioCallKind.Pin:
                return Accesses(call, vpage => Pin(call.Pid, vpage, call.PinKind));
            case ScenarioCallKind.Unpin:
                return Accesses(call, vpage => Unpin(call.Pid, vpage, call.PinKind));
            default:
                AccessResult truncated = _system.Truncate(_mappings[call.Region!], call.FromIndex);
                foreach (LogicalPage gone in _expectedContents.Keys.Where(k => k.Mapping == _mappings[call.Region!] && k.Key >= call.FromIndex).ToList())
                {
                    _expectedContents.Remove(gone);
                }

                return (truncated.Status == AccessStatus.Done ? 0 : truncated.Status == AccessStatus.Wait ? -Errno.EAGAIN : truncated.Errno, null);
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
        AddressSpaceMemory space = _system.Space(call.Pid);
        var status = new object[call.Pages.Count];
        var requests = new List<MigrationRequest>();
        var positions = new List<int>();
        int notMigrated = 0;
        var vpages = VirtualPages(call);
        for (int i = 0; i < vpages.Count; i++)
        {
            Pte pte = space.GetPte(vpages[i]);
            if (pte.Kind != PteKind.Present)
            {
                status[i] = Errno.Name(pte.Kind == PteKind.None ? Errno.ENOENT : Errno.EBUSY);
                notMigrated++;
            }
            else if (pte.Page.Node == target)
            {
                status[i] = target;
            }
            else if (requests.Any(q => q.Page == pte.Page) || !_system.Node(pte.Page.Node).IsolateLruPage(pte.Page.Pfn))
            {
                status[i] = Errno.Name(Errno.EBUSY);
                notMigrated++;
            }
            else
            {
                requests.Add(new MigrationRequest(pte.Page, target));
                positions.Add(i);
            }
        }

        MigrateResult result = await _protocol.MigratePages(requests, call.Mode, MigrateReason.Compaction);
        _system.VmStat.PgmigrateSuccess += result.Succeeded;
        _system.VmStat.PgmigrateFail += result.Failed;
        for (int k = 0; k < requests.Count; k++)
        {
            status[positions[k]] = result.PageErrno[k] == 0 ? target : Errno.Name(result.PageErrno[k]);
        }

        return (result.ReturnValue < 0 ? result.ReturnValue : result.ReturnValue + notMigrated, status);
    }

    private (long, IReadOnlyList<object>?) Accesses(ScenarioCall call, Func<long, AccessResult> access)
    {
        var status = new List<object>();
        int notDone = 0;
        foreach (long vpage in VirtualPages(call))
        {
            AccessResult r = access(vpage);
            status.Add(r.Status == AccessStatus.Done ? r.Page.Node : StatusText(r));
            notDone += r.Status == AccessStatus.Done ? 0 : 1;
        }

        return (notDone, status);
    }

    private AccessResult Write(int pid, long vpage, ulong value)
    {
        AccessResult r = _system.Write(pid, vpage, value);
        if (r.Status == AccessStatus.Done)
        {
            AddressSpaceMemory space = _system.Space(pid);
            _expectedContents[InvariantChecker.LogicalOf(space, space.FindVma(vpage)!, vpage)] = PageContents.Make(value);
        }

        return r;
    }

    private AccessResult Pin(int pid, long vpage, ScenarioPinKind kind)
    {
        AccessResult r = _system.Pin(pid, vpage, dma: kind == ScenarioPinKind.Dma);
        if (r.Status == AccessStatus.Done)
        {
            _pins.Add((pid, vpage, kind, r.Page));
        }

        return r;
    }

    /// <summary>Drops the latest pin of this kind this process took on the page; none held is -EINVAL.</summary>
    private AccessResult Unpin(int pid, long vpage, ScenarioPinKind kind)
    {
        int at = _pins.FindLastIndex(p => p.Pid == pid && p.VirtualPage == vpage && p.Kind == kind);
        if (at < 0)
        {
            return AccessResult.Fail(-Errno.EINVAL);
        }

        PageRef page = _pins[at].Page;
        _pins.RemoveAt(at);
        _system.Unpin(page, dma: kind == ScenarioPinKind.Dma);
        return new AccessResult(AccessStatus.Done, page, 0, 0, 0, default);
    }

    // ---- checks and results ----------------------------------------------------------------------

    private string? Check()
    {
        try
        {
            InvariantChecker.Check(_system, migrating: null, _expectedContents);
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

    private List<ScenarioPageLocation> Locations()
    {
        var locations = new List<ScenarioPageLocation>();
        foreach (ScenarioProcess p in _scenario.Processes)
        {
            foreach (ScenarioRegion r in _scenario.Regions.Where(r => r.IsMappedBy(p.Id)))
            {
                Vma vma = _vmas[(p.Id, r)];
                AddressSpaceMemory space = _system.Space(p.Id);
                for (long i = 0; i < r.Pages; i++)
                {
                    Pte pte = space.GetPte(vma.Start + i);
                    locations.Add(pte.Kind switch
                    {
                        PteKind.Present => new ScenarioPageLocation(p.Name, r.Name, i, vma.Start + i, pte.Page.ToString(), pte.Page.Node, pte.Page.Pfn),
                        PteKind.Migration => new ScenarioPageLocation(p.Name, r.Name, i, vma.Start + i, "migration entry", pte.Page.Node, pte.Page.Pfn),
                        _ => new ScenarioPageLocation(p.Name, r.Name, i, vma.Start + i, "not present", null, null),
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
            parts.Add((call.Kind == ScenarioCallKind.Mbind ? "range=" : "pages=") + PageList(call.Pages));
        }

        switch (call.Kind)
        {
            case ScenarioCallKind.MovePages:
                parts.Add(call.Nodes is null ? "nodes=null (query)" : $"nodes=[{string.Join(",", call.Nodes)}]");
                break;
            case ScenarioCallKind.MigratePages:
                parts.Add($"from=[{string.Join(",", call.FromNodes)}] to=[{string.Join(",", call.ToNodes)}]");
                break;
            case ScenarioCallKind.Mbind:
                parts.Add($"policy={call.Policy.ToString().ToLowerInvariant()} nodes=[{string.Join(",", call.Nodes ?? [])}]");
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
            parts.Add("flags=" + FlagNames(call.Flags));
        }

        return string.Join(' ', parts);
    }

    private static string FlagNames(int flags) => string.Join('|', new[]
    {
        (MemPolicyFlags.MPOL_MF_STRICT, nameof(MemPolicyFlags.MPOL_MF_STRICT)),
        (MemPolicyFlags.MPOL_MF_MOVE, nameof(MemPolicyFlags.MPOL_MF_MOVE)),
        (MemPolicyFlags.MPOL_MF_MOVE_ALL, nameof(MemPolicyFlags.MPOL_MF_MOVE_ALL)),
    }.Where(f => (flags & f.Item1) != 0).Select(f => f.Item2));

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

    private List<long> VirtualPages(ScenarioCall call) => [.. call.Pages.Select(p => VirtualPage(call.Pid, p.Region, p.Index))];

    private long VirtualPage(int process, ScenarioRegion region, long index) => _vmas[(process, region)].Start + index;

    private static object NodeOrErrno(int status) => status >= 0 ? status : Errno.Name(status);

    private static string StatusText(AccessResult r) => r.Status switch
    {
        AccessStatus.Wait => "wait",
        AccessStatus.Error => Errno.Name(r.Errno),
        _ => "done",
    };

    private ScenarioFormatException Problem(int line, string problem) => new(_file, line, problem);
}
