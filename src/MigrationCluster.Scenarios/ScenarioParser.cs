using System.Globalization;
using MigrationCluster.Hosting.Io;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Syscalls;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Scenarios;

/// <summary>
/// Turns a scenario file into a checked <see cref="ScenarioDefinition"/>. Everything that can be
/// checked before running is: unknown keys, wrong types, processes, regions, page indexes and nodes
/// that do not exist. Every problem is a <see cref="ScenarioFormatException"/> naming file and line.
/// See docs/scenarios.md for the format.
/// </summary>
public sealed class ScenarioParser
{
    public const int DefaultFramesPerNode = 64;
    public const int MaxFramesPerNode = 1 << 16;

    /// <summary>Processes in one scenario: a scenario is written to show a case; run and experiment build machines at scale.</summary>
    public const int MaxProcesses = 4096;

    /// <summary>Regions over all processes.</summary>
    public const int MaxRegions = 16384;

    /// <summary>Calls in one scenario.</summary>
    public const int MaxCalls = 100_000;

    /// <summary>
    /// Processes times calls: every call is followed by a check of the whole machine's invariants,
    /// so a scenario's cost grows with both (about 20 us per process and call here).
    /// </summary>
    public const long MaxProcessCalls = 1_000_000;

    private static readonly Dictionary<string, ScenarioCallKind> CallKinds = new(StringComparer.Ordinal)
    {
        ["move_pages"] = ScenarioCallKind.MovePages,
        ["migrate_pages"] = ScenarioCallKind.MigratePages,
        ["mbind"] = ScenarioCallKind.Mbind,
        ["migrate"] = ScenarioCallKind.Migrate,
        ["read"] = ScenarioCallKind.Read,
        ["write"] = ScenarioCallKind.Write,
        ["pin"] = ScenarioCallKind.Pin,
        ["unpin"] = ScenarioCallKind.Unpin,
        ["truncate"] = ScenarioCallKind.Truncate,
        ["munmap"] = ScenarioCallKind.Munmap,
        ["exit"] = ScenarioCallKind.Exit,
        ["set_mempolicy"] = ScenarioCallKind.SetMempolicy,
        ["get_mempolicy"] = ScenarioCallKind.GetMempolicy,
        ["set_cpuset"] = ScenarioCallKind.SetCpuset,
        ["fork"] = ScenarioCallKind.Fork,
        ["mlock"] = ScenarioCallKind.Mlock,
        ["munlock"] = ScenarioCallKind.Munlock,
    };

    private static readonly string[] ProcessKeys = ["name", "home_node", "privileged", "cpuset", "exited", "policy", "regions"];

    /// <summary>The most bits a nodemask argument may name here (a page of bits, get_nodes' own limit).</summary>
    private const int MaxNodemaskBit = 4096 * 8;

    /// <summary>The MPOL_MF_* names a flags value may use (uapi values; the syscalls refuse what they do not take).</summary>
    private static readonly Dictionary<string, int> FlagNames = new(StringComparer.Ordinal)
    {
        [nameof(MemPolicyFlags.MPOL_MF_STRICT)] = MemPolicyFlags.MPOL_MF_STRICT,
        [nameof(MemPolicyFlags.MPOL_MF_MOVE)] = MemPolicyFlags.MPOL_MF_MOVE,
        [nameof(MemPolicyFlags.MPOL_MF_MOVE_ALL)] = MemPolicyFlags.MPOL_MF_MOVE_ALL,
        [nameof(MemPolicyFlags.MPOL_MF_LAZY)] = MemPolicyFlags.MPOL_MF_LAZY,
        [nameof(MemPolicyModeFlags.MPOL_F_STATIC_NODES)] = MemPolicyModeFlags.MPOL_F_STATIC_NODES,
        [nameof(MemPolicyModeFlags.MPOL_F_RELATIVE_NODES)] = MemPolicyModeFlags.MPOL_F_RELATIVE_NODES,
        [nameof(MemPolicyModeFlags.MPOL_F_NUMA_BALANCING)] = MemPolicyModeFlags.MPOL_F_NUMA_BALANCING,
        [nameof(MemPolicyModeFlags.MPOL_F_NODE)] = MemPolicyModeFlags.MPOL_F_NODE,
        [nameof(MemPolicyModeFlags.MPOL_F_ADDR)] = MemPolicyModeFlags.MPOL_F_ADDR,
        [nameof(MemPolicyModeFlags.MPOL_F_MEMS_ALLOWED)] = MemPolicyModeFlags.MPOL_F_MEMS_ALLOWED,
        [nameof(MlockFlags.MLOCK_ONFAULT)] = MlockFlags.MLOCK_ONFAULT,
    };

    private readonly string _file;
    private readonly string _directory;
    private readonly List<ScenarioProcess> _processes = [];
    private readonly List<ScenarioRegion> _regions = [];
    private readonly List<ScenarioPageSetup> _setups = [];

    // Name lookups in constant time: set-up stays linear in the file's size.
    private readonly Dictionary<string, ScenarioProcess> _processByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ScenarioRegion>> _regionsByName = new(StringComparer.Ordinal);

    // Processes that an earlier `exit` call ended, and the line of that call.
    private readonly Dictionary<int, int> _exited = [];

    // Processes an earlier `fork` call made, and their parents: they map what the parent maps.
    private readonly Dictionary<int, int> _forkedFrom = [];
    private NumaTopology _topology = NumaTopology.Uniform(1);
    private string? _topologyFile;

    private ScenarioParser(string file, string directory)
    {
        _file = file;
        _directory = directory;
    }

    /// <summary>Reads and checks the scenario at <paramref name="path"/> (JSON if it ends in .json, else YAML).</summary>
    public static ScenarioDefinition ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = InputFile.ReadAllText(path, "scenario", InputFile.MaxScenarioBytes);
        }
        catch (UnusablePathException exception)
        {
            throw new ScenarioFormatException(exception.Message, exception);
        }

        return Parse(text, path, path.EndsWith(".json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="path"/> names it in messages and anchors relative topology paths.</summary>
    public static ScenarioDefinition Parse(string text, string path, bool json)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(path);
        ScenarioValue root = ScenarioDocumentReader.Read(path, text, json);
        var parser = new ScenarioParser(path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        return parser.ParseRoot(root);
    }

    public static string CallName(ScenarioCallKind kind) => CallKinds.First(kv => kv.Value == kind).Key;

    private ScenarioDefinition ParseRoot(ScenarioValue root)
    {
        var map = Map(root, "the scenario", "name", "nodes", "distances", "topology", "frames_per_node", "weighted_interleave", "compact_unevictable_allowed", "processes", "calls");
        string name = map.Has("name") ? String(map.Get("name"), "name") : Path.GetFileNameWithoutExtension(_file);
        _topology = ParseTopology(map);
        int frames = map.Has("frames_per_node") ? (int)Long(map.Get("frames_per_node"), "frames_per_node", 1, MaxFramesPerNode) : DefaultFramesPerNode;

        var processes = List(map.Require("processes"), "processes");
        if (processes.Count == 0)
        {
            throw Error(map.Require("processes"), "processes: at least one process is needed");
        }

        if (processes.Count > MaxProcesses)
        {
            throw Error(processes[MaxProcesses], $"processes: at most {MaxProcesses:N0} in a scenario (this one has {processes.Count:N0})");
        }

        if (map.Has("calls") && map.Get("calls").Items.Count > MaxCalls)
        {
            throw Error(map.Get("calls").Items[MaxCalls], $"calls: at most {MaxCalls:N0} in a scenario (this one has {map.Get("calls").Items.Count:N0})");
        }

        // Processes first, so that regions and setups may name any of them.
        foreach (ScenarioValue p in processes)
        {
            ParseProcess(p);
        }

        foreach (ScenarioValue p in processes)
        {
            ParseRegions(p);
        }

        foreach (ScenarioValue p in processes)
        {
            ParseSetups(p);
        }

        // A scenario is its calls: a file cut short before them is refused, not run as a no-op.
        var callValues = List(map.Require("calls"), "calls");
        if ((long)callValues.Count * processes.Count > MaxProcessCalls)
        {
            throw Error(map.Get("calls"), $"calls: {callValues.Count:N0} calls over {processes.Count:N0} processes is more than {MaxProcessCalls:N0} process-calls (each call checks the whole machine): split the scenario");
        }

        var calls = callValues.Select(ParseCall).ToList();
        return new ScenarioDefinition(name, _topology, frames, _processes, _regions, _setups, calls)
        {
            InterleaveWeights = map.Has("weighted_interleave") ? InterleaveWeightList(map.Get("weighted_interleave")) : [],
            CompactUnevictableAllowed = !map.Has("compact_unevictable_allowed") || Long(map.Get("compact_unevictable_allowed"), "compact_unevictable_allowed", 0, 1) == 1,
            TopologyFile = _topologyFile,
        };
    }

    private NumaTopology ParseTopology(MapReader map)
    {
        if (map.Has("topology"))
        {
            if (map.Has("nodes") || map.Has("distances"))
            {
                throw Error(map.Get("topology"), "give either 'topology' (a file) or 'nodes' (and 'distances'), not both");
            }

            ScenarioValue value = map.Get("topology");
            var relative = String(value, "topology");
            var path = Path.IsPathRooted(relative) ? relative : Path.Combine(_directory, relative);
            _topologyFile = path;
            try
            {
                return NumaTopology.Parse(InputFile.ReadAllText(path, "topology", InputFile.MaxTopologyBytes));
            }
            catch (UnusablePathException exception)
            {
                throw Error(value, exception.Message);
            }
            catch (TopologyFormatException exception)
            {
                throw Error(value, $"topology {relative}: {exception.Message}");
            }
        }

        ScenarioValue nodesValue = map.Require("nodes");
        int count = (int)Long(nodesValue, "nodes", 1, 64);
        if (!map.Has("distances"))
        {
            return NumaTopology.Uniform(count);
        }

        ScenarioValue distancesValue = map.Get("distances");
        var rows = List(distancesValue, "distances");
        if (rows.Count != count)
        {
            throw Error(distancesValue, $"distances: expected {count} rows (one per node), got {rows.Count}");
        }

        var matrix = new int[count, count];
        for (int i = 0; i < count; i++)
        {
            var row = List(rows[i], $"distances row {i}");
            if (row.Count != count)
            {
                throw Error(rows[i], $"distances row {i}: expected {count} values, got {row.Count}");
            }

            for (int j = 0; j < count; j++)
            {
                matrix[i, j] = (int)Long(row[j], $"distances[{i}][{j}]", 0, NumaTopology.UnreachableDistance);
            }
        }

        var infos = Enumerable.Range(0, count).Select(id => new NumaNodeInfo(id, [], NumaTopology.DefaultSizeMb, NumaTopology.DefaultSizeMb)).ToList();
        try
        {
            return new NumaTopology(infos, matrix);
        }
        catch (ArgumentException exception)
        {
            throw Error(distancesValue, $"distances: {FirstSentence(exception.Message)}");
        }
    }

    private void ParseProcess(ScenarioValue value)
    {
        var map = Map(value, "a process", ProcessKeys);
        ScenarioValue nameValue = map.Require("name");
        string name = String(nameValue, "process name");
        if (_processByName.ContainsKey(name))
        {
            throw Error(nameValue, $"process '{name}' is declared twice");
        }

        int home = map.Has("home_node") ? Node(map.Get("home_node"), "home_node") : 0;
        bool privileged = map.Has("privileged") && Bool(map.Get("privileged"), "privileged");
        IReadOnlyList<int>? cpuset = map.Has("cpuset") ? Cpuset(map.Get("cpuset")) : null;
        bool zombie = map.Has("exited") && map.Get("exited").Text == "zombie";
        if (map.Has("exited") && (zombie || Bool(map.Get("exited"), "exited")))
        {
            // It exits once its pages are set up, before the first call.
            _exited[_processes.Count] = map.Get("exited").Line;
        }

        ScenarioPolicyArgs? policy = map.Has("policy") ? PolicyArgs(map.Get("policy"), "policy") : null;
        _processes.Add(new ScenarioProcess(name, _processes.Count, home, privileged, cpuset) { Exited = _exited.ContainsKey(_processes.Count), Zombie = zombie, Policy = policy, PolicyLine = policy is null ? 0 : map.Get("policy").Line });
        _processByName.Add(name, _processes[^1]);
    }

    private void ParseRegions(ScenarioValue value)
    {
        var map = Map(value, "a process", ProcessKeys);
        ScenarioProcess owner = _processByName[String(map.Require("name"), "process name")];
        if (!map.Has("regions"))
        {
            return;
        }

        foreach (ScenarioValue r in List(map.Get("regions"), "regions"))
        {
            var region = Map(r, "a region", "name", "kind", "pages", "writable", "mapped_by", "policy", "setup", "folio_size");
            ScenarioValue nameValue = region.Require("name");
            string name = String(nameValue, "region name");
            ScenarioValue kindValue = region.Require("kind");
            ScenarioRegionKind kind = String(kindValue, "kind") switch
            {
                "anon_private" => ScenarioRegionKind.AnonPrivate,
                "anon_shared" => ScenarioRegionKind.AnonShared,
                "file" => ScenarioRegionKind.File,
                "file_private" => ScenarioRegionKind.FilePrivate,
                var other => throw Error(kindValue, $"kind: expected anon_private, anon_shared, file or file_private, got '{other}'"),
            };
            long pages = Long(region.Require("pages"), "pages", 1, 1 << 20);
            bool writable = !region.Has("writable") || Bool(region.Get("writable"), "writable");
            var mappedBy = region.Has("mapped_by") ? Processes(region.Get("mapped_by"), "mapped_by") : [];
            if (mappedBy.Count > 0 && kind == ScenarioRegionKind.AnonPrivate)
            {
                throw Error(region.Get("mapped_by"), "mapped_by: anonymous private memory cannot be mapped by other processes (use anon_shared or file)");
            }

            if (mappedBy.Contains(owner.Id) || mappedBy.Distinct().Count() != mappedBy.Count)
            {
                throw Error(region.Get("mapped_by"), "mapped_by: lists the owner or a process twice");
            }

            var all = mappedBy.Append(owner.Id).ToList();
            if (RegionsNamed(name).Any(x => all.Any(x.IsMappedBy)))
            {
                throw Error(nameValue, $"region '{name}' is already visible to one of its processes");
            }

            ScenarioPolicyArgs? policy = region.Has("policy") ? RegionPolicy(region.Get("policy")) : null;
            if (_regions.Count == MaxRegions)
            {
                throw Error(nameValue, $"regions: at most {MaxRegions:N0} in a scenario");
            }

            int folioOrder = 0, fallbackOrders = 0;
            if (region.Has("folio_size"))
            {
                ScenarioValue sizeValue = region.Get("folio_size");
                if (kind != ScenarioRegionKind.AnonPrivate)
                {
                    throw Error(sizeValue, "folio_size: large folios are faulted in anon_private regions only");
                }

                (folioOrder, fallbackOrders) = FolioOrders(sizeValue, pages);
            }

            _regions.Add(new ScenarioRegion(name, nameValue.Line, owner.Id, kind, pages, writable, mappedBy) { Policy = policy, FolioOrder = folioOrder, FallbackOrders = fallbackOrders });
            if (!_regionsByName.TryGetValue(name, out var named))
            {
                _regionsByName[name] = named = [];
            }

            named.Add(_regions[^1]);
        }
    }

    private void ParseSetups(ScenarioValue value)
    {
        var map = Map(value, "a process", ProcessKeys);
        ScenarioProcess owner = _processByName[String(map.Require("name"), "process name")];
        if (!map.Has("regions"))
        {
            return;
        }

        foreach (ScenarioValue r in List(map.Get("regions"), "regions"))
        {
            var region = Map(r, "a region", "name", "kind", "pages", "writable", "mapped_by", "policy", "setup", "folio_size");
            if (!region.Has("setup"))
            {
                continue;
            }

            ScenarioRegion spec = RegionsNamed(String(region.Require("name"), "region name")).First(x => x.Owner == owner.Id);
            foreach (ScenarioValue s in List(region.Get("setup"), "setup"))
            {
                var setup = Map(s, "a page setup", "pages", "node", "touched_by", "write", "writeback", "dirty", "pin");
                var indexes = Indexes(setup.Require("pages"), spec, "pages");
                var touchedBy = setup.Has("touched_by") ? Processes(setup.Get("touched_by"), "touched_by") : [owner.Id];
                foreach (int p in touchedBy)
                {
                    if (!spec.IsMappedBy(p))
                    {
                        throw Error(setup.Get("touched_by"), $"touched_by: process '{_processes[p].Name}' does not map region '{spec.Name}' (add it to mapped_by)");
                    }
                }

                if (touchedBy.Count == 0)
                {
                    throw Error(setup.Get("touched_by"), "touched_by: at least one process must touch the pages");
                }

                int? node = setup.Has("node") ? Node(setup.Get("node"), "node") : null;
                ulong? write = setup.Has("write") ? (ulong)Long(setup.Get("write"), "write", 0, (1L << 48) - 1) : null;
                if (write is not null && !spec.Writable)
                {
                    throw Error(setup.Get("write"), $"write: region '{spec.Name}' is not writable");
                }

                bool writeback = setup.Has("writeback") && Bool(setup.Get("writeback"), "writeback");
                bool dirty = setup.Has("dirty") && Bool(setup.Get("dirty"), "dirty");
                ScenarioPinKind? pin = setup.Has("pin") ? PinKind(setup.Get("pin"), "pin") : null;
                _setups.Add(new ScenarioPageSetup(s.Line, spec, indexes, touchedBy, node, write, writeback, dirty, pin));
            }
        }
    }

    private ScenarioCall ParseCall(ScenarioValue value)
    {
        if (value.Kind != ScenarioValueKind.Mapping)
        {
            throw Error(value, $"a call must be a mapping with a 'call' key, got {value.Describe()}");
        }

        ScenarioValue kindValue = value.Entries.FirstOrDefault(e => e.Key == "call").Value
            ?? throw Error(value, $"a call needs 'call:' (one of {string.Join(", ", CallKinds.Keys)})");
        string kindName = String(kindValue, "call");
        if (!CallKinds.TryGetValue(kindName, out ScenarioCallKind kind))
        {
            throw Error(kindValue, $"unknown call '{kindName}' (expected one of {string.Join(", ", CallKinds.Keys)})");
        }

        string[] keys = kind switch
        {
            ScenarioCallKind.MovePages => ["pages", "nodes", "flags", "caller", "status", "initial_status"],
            ScenarioCallKind.MigratePages => ["from", "to", "caller"],
            ScenarioCallKind.Mbind => ["range", "policy", "mode_flags", "nodes", "maxnode", "flags"],
            ScenarioCallKind.Migrate => ["pages", "node", "mode", "reason"],
            ScenarioCallKind.Read => ["pages"],
            ScenarioCallKind.Write => ["pages", "value"],
            ScenarioCallKind.Pin or ScenarioCallKind.Unpin => ["pages", "kind"],
            ScenarioCallKind.Munmap => ["range"],
            ScenarioCallKind.Exit => ["zombie"],
            ScenarioCallKind.SetMempolicy => ["mode", "flags", "nodes", "maxnode"],
            ScenarioCallKind.GetMempolicy => ["flags", "addr", "maxnode", "nodemask"],
            ScenarioCallKind.SetCpuset => ["mems"],
            ScenarioCallKind.Fork => ["child"],
            ScenarioCallKind.Mlock => ["range", "flags"],
            ScenarioCallKind.Munlock => ["range"],
            _ => ["region", "from"],
        };
        var map = Map(value, $"a {kindName} call", [.. keys, "call", "pid", "expect"]);
        ScenarioValue pidValue = map.Require("pid");
        int pid = Process(pidValue, "pid");
        var call = new ScenarioCall(kindValue.Line, kind, pid) { Caller = pid };
        call = kind switch
        {
            ScenarioCallKind.MovePages => MovePages(call, map),
            ScenarioCallKind.MigratePages => call with
            {
                Caller = map.Has("caller") ? Process(map.Get("caller"), "caller") : pid,
                FromNodes = Nodes(map.Require("from"), "from"),
                ToNodes = Nodes(map.Require("to"), "to"),
            },
            ScenarioCallKind.Mbind => Mbind(call, map),
            ScenarioCallKind.Munmap or ScenarioCallKind.Munlock => call with { Pages = Range(map.Require("range"), pid, "range") },
            ScenarioCallKind.Mlock => call with
            {
                Pages = Range(map.Require("range"), pid, "range"),
                Flags = map.Has("flags") ? Flags(map.Get("flags")) : 0,
            },
            ScenarioCallKind.Exit => call with { Zombie = map.Has("zombie") && Bool(map.Get("zombie"), "zombie") },
            ScenarioCallKind.SetMempolicy => SetMempolicy(call, map),
            ScenarioCallKind.GetMempolicy => GetMempolicy(call, map),
            ScenarioCallKind.SetCpuset => call with { Nodes = Cpuset(map.Require("mems")) },
            ScenarioCallKind.Fork => Fork(call, map.Require("child")),
            ScenarioCallKind.Migrate => call with
            {
                Pages = PageRefs(map.Require("pages"), pid, "pages"),
                Nodes = [Node(map.Require("node"), "node")],
                Mode = map.Has("mode") ? Mode(map.Get("mode")) : MigrateMode.Sync,
                Reason = map.Has("reason") ? Reason(map.Get("reason")) : MigrateReason.Compaction,
            },
            ScenarioCallKind.Read => call with { Pages = PageRefs(map.Require("pages"), pid, "pages") },
            ScenarioCallKind.Write => call with
            {
                Pages = PageRefs(map.Require("pages"), pid, "pages"),
                Value = (ulong)Long(map.Require("value"), "value", 0, (1L << 48) - 1),
            },
            ScenarioCallKind.Pin or ScenarioCallKind.Unpin => call with
            {
                Pages = PageRefs(map.Require("pages"), pid, "pages"),
                PinKind = map.Has("kind") ? PinKind(map.Get("kind"), "kind") : ScenarioPinKind.Gup,
            },
            _ => Truncate(call, map),
        };
        // A process that has exited makes no more calls; another may still name it (-ESRCH).
        ScenarioValue callerValue = map.Has("caller") ? map.Get("caller") : pidValue;
        if (_exited.TryGetValue(call.Caller, out int exitLine))
        {
            throw Error(callerValue, $"process '{_processes[call.Caller].Name}' exited (line {exitLine}) and makes no more calls{(call.Caller == pid && kind is ScenarioCallKind.MovePages or ScenarioCallKind.MigratePages ? "; give a live 'caller' to see -ESRCH" : string.Empty)}");
        }

        if (kind == ScenarioCallKind.Exit)
        {
            _exited[pid] = kindValue.Line;
        }

        return map.Has("expect") ? call with { Expect = Expectation(map.Get("expect")) } : call;
    }

    private ScenarioCall MovePages(ScenarioCall call, MapReader map)
    {
        var pages = PageRefs(map.Require("pages"), call.Pid, "pages");
        IReadOnlyList<int>? nodes = null;
        if (map.Has("nodes") && map.Get("nodes").Kind != ScenarioValueKind.Null)
        {
            ScenarioValue nodesValue = map.Get("nodes");
            // One node for every page, or a list with one node per page.
            nodes = nodesValue.Kind == ScenarioValueKind.Scalar ? [.. Enumerable.Repeat(Node(nodesValue, "nodes"), pages.Count)] : Nodes(nodesValue, "nodes");
            if (nodes.Count != pages.Count)
            {
                throw Error(nodesValue, $"nodes: {nodes.Count} nodes for {pages.Count} pages (give one per page, one for all, or null to query)");
            }
        }

        // The status array before the call: `status`, as move_pages(2) names the parameter, or `initial_status`.
        IReadOnlyList<int>? initialStatus = null;
        if (map.Has("status") && map.Has("initial_status"))
        {
            throw Error(map.Get("initial_status"), "give the status array's initial contents as 'status' or as 'initial_status', not both");
        }

        if (map.Has("status") || map.Has("initial_status"))
        {
            string key = map.Has("status") ? "status" : "initial_status";
            ScenarioValue statusValue = map.Get(key);
            initialStatus = statusValue.Kind == ScenarioValueKind.Sequence
                ? [.. statusValue.Items.Select(item => StatusValue(item, key))]
                : [.. Enumerable.Repeat(StatusValue(statusValue, key), pages.Count)];
            if (initialStatus.Count != pages.Count)
            {
                throw Error(statusValue, $"{key}: {initialStatus.Count} entries for {pages.Count} pages (give one per page, or one for all)");
            }
        }

        return call with
        {
            Pages = pages,
            Nodes = nodes,
            InitialStatus = initialStatus,
            Flags = map.Has("flags") ? Flags(map.Get("flags")) : 0,
            Caller = map.Has("caller") ? Process(map.Get("caller"), "caller") : call.Pid,
        };
    }

    private ScenarioCall Mbind(ScenarioCall call, MapReader map)
    {
        var range = Range(map.Require("range"), call.Pid, "range");
        int mode = ModeValue(map.Require("policy"), "policy");
        int modeFlags = map.Has("mode_flags") ? Flags(map.Get("mode_flags")) : 0;
        var (nodes, isNull) = map.Has("nodes") ? RawNodes(map.Get("nodes"), "nodes") : ([], false);
        return call with
        {
            Pages = range,
            Policy = (MemPolicyMode)(mode & ~MemPolicyModeFlags.MPOL_MODE_FLAGS),
            ModeWord = mode | modeFlags,
            Nodes = nodes,
            NullNodemask = isNull,
            Maxnode = map.Has("maxnode") ? Maxnode(map.Get("maxnode")) : NumaSyscalls.FullMaxnode(nodes),
            Flags = map.Has("flags") ? Flags(map.Get("flags")) : 0,
        };
    }

    /// <summary>fork: <c>child</c> is a process declared with no regions, not mapped into any, not forked before; from here on it maps what the parent maps.</summary>
    private ScenarioCall Fork(ScenarioCall call, ScenarioValue childValue)
    {
        int child = Process(childValue, "child");
        if (child == call.Pid || _regions.Any(r => Maps(child, r)) || _forkedFrom.ContainsKey(child) || _exited.ContainsKey(child))
        {
            throw Error(childValue, $"child: process '{_processes[child].Name}' must be a fresh process: declared without regions, mapped into none, not forked or exited before");
        }

        _forkedFrom[child] = call.Pid;
        return call with { Child = child };
    }

    /// <summary>Whether a process maps a region: its own, one it is in mapped_by of, or its parent's after a fork.</summary>
    private bool Maps(int pid, ScenarioRegion region) =>
        region.IsMappedBy(pid) || (_forkedFrom.TryGetValue(pid, out int parent) && Maps(parent, region));

    /// <summary>set_mempolicy: <c>mode</c> (a name or the number), mode <c>flags</c>, <c>nodes</c> (the mask's bits, or null) and <c>maxnode</c>.</summary>
    private ScenarioCall SetMempolicy(ScenarioCall call, MapReader map)
    {
        ScenarioPolicyArgs args = PolicyArgs(map, "set_mempolicy");
        return call with
        {
            ModeWord = args.Mode,
            Policy = (MemPolicyMode)(args.Mode & ~MemPolicyModeFlags.MPOL_MODE_FLAGS),
            Nodes = args.Nodes ?? [],
            NullNodemask = args.Nodes is null,
            Maxnode = args.Maxnode,
        };
    }

    /// <summary>get_mempolicy: <c>flags</c> (MPOL_F_NODE, MPOL_F_ADDR, MPOL_F_MEMS_ALLOWED), <c>addr</c> (a page), <c>maxnode</c>, <c>nodemask</c> (false: NULL).</summary>
    private ScenarioCall GetMempolicy(ScenarioCall call, MapReader map)
    {
        ScenarioPageRef? addr = null;
        if (map.Has("addr"))
        {
            var pages = PageRefs(map.Get("addr"), call.Pid, "addr");
            if (pages.Count != 1)
            {
                throw Error(map.Get("addr"), "addr: one page, e.g. heap:0 or unmapped");
            }

            addr = pages[0];
        }

        return call with
        {
            Flags = map.Has("flags") ? Flags(map.Get("flags")) : 0,
            Address = addr,
            Maxnode = map.Has("maxnode") ? Maxnode(map.Get("maxnode")) : NumaTopology.MaxNumNodes + 1,
            WantNodemask = !map.Has("nodemask") || Bool(map.Get("nodemask"), "nodemask"),
        };
    }

    /// <summary>A process's task policy: a mapping of <c>mode</c>, <c>flags</c>, <c>nodes</c> and <c>maxnode</c>.</summary>
    private ScenarioPolicyArgs PolicyArgs(ScenarioValue value, string what) => PolicyArgs(Map(value, what, "mode", "flags", "nodes", "maxnode"), what);

    private ScenarioPolicyArgs PolicyArgs(MapReader map, string what)
    {
        int mode = ModeValue(map.Require("mode"), $"{what}.mode");
        int flags = map.Has("flags") ? Flags(map.Get("flags")) : 0;
        var (nodes, isNull) = map.Has("nodes") ? RawNodes(map.Get("nodes"), $"{what}.nodes") : ([], false);
        long maxnode = map.Has("maxnode") ? Maxnode(map.Get("maxnode")) : NumaSyscalls.FullMaxnode(nodes);
        return new ScenarioPolicyArgs(mode | flags, isNull ? null : nodes, maxnode);
    }

    /// <summary>A mode: a policy name (default, preferred, bind, interleave, local, preferred_many, weighted_interleave) or its number.</summary>
    private int ModeValue(ScenarioValue value, string what)
    {
        if (value.TryGetLong(out long number))
        {
            return number is >= 0 and <= int.MaxValue ? (int)number : throw Error(value, $"{what}: {number} is not a mode number");
        }

        string text = String(value, what);
        return MemPolicyNames.TryParse(text, out MemPolicyMode mode)
            ? (int)mode
            : throw Error(value, $"{what}: expected one of {string.Join(", ", MemPolicyNames.All)} or a number, got '{text}'");
    }

    /// <summary>A nodemask argument as its set bits: any bit below a page of bits (the kernel decides what it makes of them); null is a NULL pointer.</summary>
    private (List<int> Nodes, bool IsNull) RawNodes(ScenarioValue value, string what)
    {
        if (value.Kind == ScenarioValueKind.Null)
        {
            return ([], true);
        }

        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        return ([.. items.Select(item => (int)Long(item, what, 0, MaxNodemaskBit - 1))], false);
    }

    private long Maxnode(ScenarioValue value) => Long(value, "maxnode", 0, int.MaxValue);

    /// <summary>weighted_interleave: one weight (1-255) per node id, as /sys/kernel/mm/mempolicy/weighted_interleave/nodeN.</summary>
    private List<int> InterleaveWeightList(ScenarioValue value)
    {
        var items = List(value, "weighted_interleave");
        if (items.Count > _topology.NodeIdLimit)
        {
            throw Error(value, $"weighted_interleave: {items.Count} weights for {_topology.NodeIdLimit} node ids (give one per node)");
        }

        return [.. items.Select(item => (int)Long(item, "weighted_interleave", 1, InterleaveWeights.MaxWeight))];
    }

    /// <summary>mbind's and munmap's range: consecutive pages of one region.</summary>
    private List<ScenarioPageRef> Range(ScenarioValue rangeValue, int pid, string what)
    {
        var range = PageRefs(rangeValue, pid, what);
        if (range.Any(r => r.IsUnmapped) || range.Select(r => r.Region).Distinct().Count() != 1 || range.Zip(range.Skip(1)).Any(p => p.Second.Index != p.First.Index + 1))
        {
            throw Error(rangeValue, $"{what}: must be consecutive pages of one region, e.g. heap:0-3");
        }

        return range;
    }

    /// <summary>A process's cpuset: its memory nodes, as <c>[0, 1]</c> or <c>{ mems: [0, 1] }</c>.</summary>
    private List<int> Cpuset(ScenarioValue value)
    {
        ScenarioValue mems = value;
        if (value.Kind == ScenarioValueKind.Mapping)
        {
            mems = Map(value, "cpuset", "mems").Require("mems");
        }

        List(mems, "cpuset");
        var nodes = Nodes(mems, "cpuset");
        if (nodes.Count == 0)
        {
            throw Error(mems, "cpuset: a cpuset needs at least one memory node");
        }

        return [.. nodes.Distinct().Order()];
    }

    /// <summary>A region's policy: <c>{ mode: interleave, nodes: [0, 1] }</c> (and mode <c>flags</c>), checked as mbind checks it.</summary>
    private ScenarioPolicyArgs RegionPolicy(ScenarioValue value)
    {
        var map = Map(value, "policy", "mode", "nodes", "flags");
        int mode = ModeValue(map.Require("mode"), "policy.mode");
        List<int> nodes = map.Has("nodes") ? Nodes(map.Get("nodes"), "policy.nodes") : [];
        bool takesNone = mode is (int)MemPolicyMode.Default or (int)MemPolicyMode.Local;
        if (takesNone != (nodes.Count == 0) && mode != (int)MemPolicyMode.Preferred)
        {
            throw Error(value, takesNone ? $"policy: {MemPolicyNames.Of((MemPolicyMode)mode)} takes no nodes" : $"policy: {MemPolicyNames.Of((MemPolicyMode)mode)} needs nodes");
        }

        int flags = map.Has("flags") ? Flags(map.Get("flags")) : 0;
        return new ScenarioPolicyArgs(mode | flags, [.. nodes.Distinct().Order()], NumaSyscalls.FullMaxnode(nodes));
    }

    private ScenarioCall Truncate(ScenarioCall call, MapReader map)
    {
        ScenarioValue regionValue = map.Require("region");
        ScenarioRegion region = Region(regionValue, call.Pid, String(regionValue, "region"));
        if (region.Kind == ScenarioRegionKind.AnonPrivate)
        {
            throw Error(regionValue, $"region: '{region.Name}' is anonymous memory; only file and anon_shared regions can be truncated");
        }

        long from = map.Has("from") ? Long(map.Get("from"), "from", 0, region.Pages) : 0;
        return call with { Region = region, FromIndex = from };
    }

    private ScenarioExpectation Expectation(ScenarioValue value)
    {
        var map = Map(value, "expect", "return", "errno", "status", "mode", "vmstat");
        long? ret = map.Has("return") ? Long(map.Get("return"), "expect.return", int.MinValue, int.MaxValue) : null;
        string? errno = map.Has("errno") ? ErrnoName(map.Get("errno"), "expect.errno") : null;
        IReadOnlyList<string>? status = null;
        if (map.Has("status"))
        {
            status = [.. List(map.Get("status"), "expect.status").Select(ExpectedStatus)];
        }

        string? mode = map.Has("mode") ? ExpectedMode(map.Get("mode")) : null;
        Dictionary<string, long>? vmstat = null;
        if (map.Has("vmstat"))
        {
            ScenarioValue counters = map.Get("vmstat");
            Map(counters, "expect.vmstat", VmStatNames);
            vmstat = [];
            foreach (var (counter, count) in counters.Entries)
            {
                vmstat[counter] = Long(count, $"expect.vmstat.{counter}", long.MinValue, long.MaxValue);
            }
        }

        return new ScenarioExpectation(value.Line, ret, errno, status) { Mode = mode, VmStat = vmstat };
    }

    /// <summary>get_mempolicy's expected mode: a node number (MPOL_F_NODE), or a policy name with its mode flags joined by '|'.</summary>
    private string ExpectedMode(ScenarioValue value)
    {
        if (value.TryGetLong(out long number))
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        string[] parts = String(value, "expect.mode").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int flags = parts.Length > 1 ? Flags(ScenarioValue.Scalar(value.Line, string.Join('|', parts.Skip(1)))) : 0;
        return MemPolicyNames.TryParse(parts[0], out MemPolicyMode mode)
            ? ScenarioRunner.ModeText((int)mode | flags)
            : throw Error(value, $"expect.mode: expected a node number or one of {string.Join(", ", MemPolicyNames.All)} (with |MPOL_F_* flags), got '{value.Text}'");
    }

    /// <summary>
    /// An expected status entry, as the runner prints it: a node number, an errno name (EBUSY,
    /// -EBUSY or -16), <c>unwritten</c> (move_pages left it as it was) or <c>zero</c> (an access
    /// reached the zero page).
    /// </summary>
    private string ExpectedStatus(ScenarioValue value)
    {
        if (value.Kind == ScenarioValueKind.Scalar && value.Text is ScenarioStatus.Unwritten or ScenarioStatus.ZeroPage)
        {
            return value.Text;
        }

        return value.TryGetLong(out long number) && number is >= int.MinValue and <= int.MaxValue
            ? ScenarioStatus.Token((int)number)
            : ErrnoName(value, "expect.status");
    }

    /// <summary>An initial status entry: an integer, an errno name (its negative value) or <c>unwritten</c>.</summary>
    private int StatusValue(ScenarioValue value, string what)
    {
        if (value.TryGetLong(out long number))
        {
            return number is >= int.MinValue and <= int.MaxValue ? (int)number : throw Error(value, $"{what}: {number} is not an int");
        }

        string text = String(value, what);
        if (text == ScenarioStatus.Unwritten)
        {
            return MovePagesResult.Unwritten;
        }

        int errno = ErrnoValue(ErrnoName(value, what));
        return -errno;
    }

    // ---- small readers -------------------------------------------------------------------------

    private string ErrnoName(ScenarioValue value, string what)
    {
        string text = String(value, what).TrimStart('-');
        if (text == "0" || ((text.StartsWith('E') || text == "SIGBUS") && Errno.Name(ErrnoValue(text)) == text))
        {
            return text;
        }

        throw Error(value, $"{what}: expected a node number, an errno name such as EBUSY, or unwritten, got {value.Describe()}");
    }

    private static int ErrnoValue(string name) => name switch
    {
        "EPERM" => Errno.EPERM,
        "ENOENT" => Errno.ENOENT,
        "ESRCH" => Errno.ESRCH,
        "EIO" => Errno.EIO,
        "E2BIG" => Errno.E2BIG,
        "EAGAIN" => Errno.EAGAIN,
        "ENOMEM" => Errno.ENOMEM,
        "EACCES" => Errno.EACCES,
        "EFAULT" => Errno.EFAULT,
        "EBUSY" => Errno.EBUSY,
        "ENODEV" => Errno.ENODEV,
        "EINVAL" => Errno.EINVAL,
        "SIGBUS" => Errno.SIGBUS,
        _ => -1,
    };

    /// <summary>The counters an expectation may check: the call's change to each (vmstat names).</summary>
    private static readonly string[] VmStatNames = [.. new VmStat().Snapshot().Keys];

    /// <summary>
    /// folio_size: one size, or a list of large sizes (the enabled mTHP sizes): a fault takes the
    /// largest that fits and falls back through the others, largest first, before a base page.
    /// </summary>
    private (int FolioOrder, int FallbackOrders) FolioOrders(ScenarioValue value, long pages)
    {
        if (value.Kind != ScenarioValueKind.Sequence)
        {
            (int order, string? problem) = FolioSizes.Order(String(value, "folio_size"), regionPages: pages);
            return problem is null ? (order, 0) : throw Error(value, problem);
        }

        if (value.Items.Count == 0)
        {
            throw Error(value, "folio_size: an empty list (give one size, or the large sizes to fall back through)");
        }

        int mask = 0;
        foreach (ScenarioValue item in value.Items)
        {
            (int order, string? problem) = FolioSizes.Order(String(item, "folio_size"), regionPages: pages);
            if (problem is not null)
            {
                throw Error(item, problem);
            }

            if (order == 0)
            {
                throw Error(item, $"folio_size: {item.Text} in a list: base pages are always the last fallback");
            }

            if ((mask & (1 << order)) != 0)
            {
                throw Error(item, $"folio_size: {item.Text} is listed twice");
            }

            mask |= 1 << order;
        }

        int largest = 31 - int.LeadingZeroCount(mask);
        return (largest, mask & ~(1 << largest));
    }

    private MigrateReason Reason(ScenarioValue value) => String(value, "reason") switch
    {
        "compaction" => MigrateReason.Compaction,
        "numa_misplaced" => MigrateReason.NumaMisplaced,
        "syscall" => MigrateReason.Syscall,
        "longterm_pin" => MigrateReason.LongtermPin,
        var other => throw Error(value, $"reason: expected compaction, numa_misplaced, syscall or longterm_pin, got '{other}'"),
    };

    private MigrateMode Mode(ScenarioValue value) => String(value, "mode") switch
    {
        "async" => MigrateMode.Async,
        "sync_light" or "sync-light" => MigrateMode.SyncLight,
        "sync" => MigrateMode.Sync,
        var other => throw Error(value, $"mode: expected async, sync_light or sync, got '{other}'"),
    };

    private ScenarioPinKind PinKind(ScenarioValue value, string what) => String(value, what) switch
    {
        "gup" => ScenarioPinKind.Gup,
        "dma" => ScenarioPinKind.Dma,
        var other => throw Error(value, $"{what}: expected gup or dma, got '{other}'"),
    };

    /// <summary>
    /// Flags as a list, or one string with '|' between its parts; each part an MPOL_MF_* name or
    /// a number (decimal or 0x hex). Any flag passes: the call itself refuses the ones it does
    /// not take (-EINVAL), as the kernel does.
    /// </summary>
    private int Flags(ScenarioValue value)
    {
        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        int flags = 0;
        foreach (ScenarioValue item in items)
        {
            foreach (var name in String(item, "flags").Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (FlagNames.TryGetValue(name, out int flag)
                    || (name.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && int.TryParse(name.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out flag))
                    || int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out flag))
                {
                    flags |= flag;
                    continue;
                }

                throw Error(item, $"flags: unknown flag '{name}' (expected {string.Join(", ", FlagNames.Keys)} or a number)");
            }
        }

        return flags;
    }

    private List<ScenarioPageRef> PageRefs(ScenarioValue value, int pid, string what)
    {
        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        var refs = new List<ScenarioPageRef>();
        foreach (ScenarioValue item in items)
        {
            string text = String(item, what);
            if (text == ScenarioPageRef.UnmappedName)
            {
                refs.Add(ScenarioPageRef.Unmapped);
                continue;
            }

            int colon = text.LastIndexOf(':');
            if (colon <= 0)
            {
                throw Error(item, $"{what}: expected REGION:INDEX, REGION:FIRST-LAST or {ScenarioPageRef.UnmappedName}, got '{text}'");
            }

            ScenarioRegion region = Region(item, pid, text[..colon]);
            refs.AddRange(IndexRange(item, text[(colon + 1)..], region, what).Select(i => new ScenarioPageRef(region, i)));
        }

        if (refs.Count == 0)
        {
            throw Error(value, $"{what}: no pages given");
        }

        return refs;
    }

    private List<ScenarioRegion> RegionsNamed(string name) => _regionsByName.TryGetValue(name, out var named) ? named : [];

    private ScenarioRegion Region(ScenarioValue at, int pid, string name) =>
        RegionsNamed(name).FirstOrDefault(r => Maps(pid, r))
            ?? throw Error(at, $"process '{_processes[pid].Name}' maps no region '{name}'");

    private List<long> Indexes(ScenarioValue value, ScenarioRegion region, string what)
    {
        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        var indexes = new List<long>();
        foreach (ScenarioValue item in items)
        {
            indexes.AddRange(IndexRange(item, String(item, what), region, what));
        }

        return indexes;
    }

    /// <summary>"3" or "0-7" within the region.</summary>
    private IEnumerable<long> IndexRange(ScenarioValue at, string text, ScenarioRegion region, string what)
    {
        string[] parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long first)
            || !long.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out long last) || last < first)
        {
            throw Error(at, $"{what}: expected a page index or FIRST-LAST, got '{text}'");
        }

        if (last >= region.Pages)
        {
            throw Error(at, $"{what}: page {last} is outside region '{region.Name}' (pages 0-{region.Pages - 1})");
        }

        for (long i = first; i <= last; i++)
        {
            yield return i;
        }
    }

    private List<int> Processes(ScenarioValue value, string what)
    {
        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        return [.. items.Select(item => Process(item, what))];
    }

    private int Process(ScenarioValue value, string what)
    {
        string name = String(value, what);
        return _processByName.TryGetValue(name, out var process) ? process.Id : throw Error(value, $"{what}: no process named '{name}'");
    }

    private List<int> Nodes(ScenarioValue value, string what)
    {
        IEnumerable<ScenarioValue> items = value.Kind == ScenarioValueKind.Sequence ? value.Items : [value];
        return [.. items.Select(item => Node(item, what))];
    }

    private int Node(ScenarioValue value, string what)
    {
        int node = (int)Long(value, what, 0, int.MaxValue);
        if (!_topology.Contains(node))
        {
            throw Error(value, $"{what}: node {node} does not exist in the topology (nodes {string.Join(", ", _topology.Nodes.Select(n => n.Id))})");
        }

        return node;
    }

    private long Long(ScenarioValue value, string what, long min, long max)
    {
        if (!value.TryGetLong(out long result) || value.Quoted)
        {
            throw Error(value, $"{what}: expected an integer, got {value.Describe()}{(value.Quoted && value.TryGetLong(out _) ? " (write numbers without quotes)" : string.Empty)}");
        }

        if (result < min || result > max)
        {
            throw Error(value, $"{what}: {result} is out of range ({min} to {max})");
        }

        return result;
    }

    private bool Bool(ScenarioValue value, string what) => value.Kind == ScenarioValueKind.Scalar && !value.Quoted && value.Text is "true" or "false"
        ? value.Text == "true"
        : throw Error(value, $"{what}: expected true or false, got {value.Describe()}");

    private string String(ScenarioValue value, string what) => value.Kind == ScenarioValueKind.Scalar && value.Text!.Length > 0
        ? value.Text
        : throw Error(value, $"{what}: expected a name or value, got {value.Describe()}");

    private IReadOnlyList<ScenarioValue> List(ScenarioValue value, string what) => value.Kind == ScenarioValueKind.Sequence
        ? value.Items
        : throw Error(value, $"{what}: expected a list, got {value.Describe()}");

    private MapReader Map(ScenarioValue value, string what, params string[] keys)
    {
        if (value.Kind != ScenarioValueKind.Mapping)
        {
            throw Error(value, $"{what}: expected a mapping, got {value.Describe()}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, item) in value.Entries)
        {
            if (!keys.Contains(key))
            {
                throw Error(item, $"unknown key '{key}' in {what} (expected one of {string.Join(", ", keys)})");
            }

            if (!seen.Add(key))
            {
                throw Error(item, $"key '{key}' appears twice in {what}");
            }
        }

        return new MapReader(this, value, what);
    }

    private ScenarioFormatException Error(ScenarioValue at, string problem) => new(_file, at.Line, problem);

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>Keyed access to a checked mapping; a missing required key names the mapping's line.</summary>
    private sealed class MapReader(ScenarioParser parser, ScenarioValue value, string what)
    {
        public bool Has(string key) => value.Entries.Any(e => e.Key == key);

        public ScenarioValue Get(string key) => value.Entries.First(e => e.Key == key).Value;

        public ScenarioValue Require(string key) => Has(key) ? Get(key) : throw parser.Error(value, $"{what} needs '{key}'");
    }
}
