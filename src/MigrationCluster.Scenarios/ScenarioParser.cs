using System.Globalization;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
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
    };

    private static readonly string[] ProcessKeys = ["name", "home_node", "privileged", "cpuset", "exited", "regions"];

    /// <summary>The MPOL_MF_* names a flags value may use (uapi values; the syscalls refuse what they do not take).</summary>
    private static readonly Dictionary<string, int> FlagNames = new(StringComparer.Ordinal)
    {
        [nameof(MemPolicyFlags.MPOL_MF_STRICT)] = MemPolicyFlags.MPOL_MF_STRICT,
        [nameof(MemPolicyFlags.MPOL_MF_MOVE)] = MemPolicyFlags.MPOL_MF_MOVE,
        [nameof(MemPolicyFlags.MPOL_MF_MOVE_ALL)] = MemPolicyFlags.MPOL_MF_MOVE_ALL,
        [nameof(MemPolicyFlags.MPOL_MF_LAZY)] = MemPolicyFlags.MPOL_MF_LAZY,
    };

    private readonly string _file;
    private readonly string _directory;
    private readonly List<ScenarioProcess> _processes = [];
    private readonly List<ScenarioRegion> _regions = [];
    private readonly List<ScenarioPageSetup> _setups = [];

    // Processes that an earlier `exit` call ended, and the line of that call.
    private readonly Dictionary<int, int> _exited = [];
    private NumaTopology _topology = NumaTopology.Uniform(1);

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
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ScenarioFormatException(path, 0, $"cannot read the scenario ({exception.Message})", exception);
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
        var map = Map(root, "the scenario", "name", "nodes", "distances", "topology", "frames_per_node", "processes", "calls");
        string name = map.Has("name") ? String(map.Get("name"), "name") : Path.GetFileNameWithoutExtension(_file);
        _topology = ParseTopology(map);
        int frames = map.Has("frames_per_node") ? (int)Long(map.Get("frames_per_node"), "frames_per_node", 1, MaxFramesPerNode) : DefaultFramesPerNode;

        var processes = List(map.Require("processes"), "processes");
        if (processes.Count == 0)
        {
            throw Error(map.Require("processes"), "processes: at least one process is needed");
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

        var calls = map.Has("calls") ? List(map.Get("calls"), "calls").Select(ParseCall).ToList() : [];
        return new ScenarioDefinition(name, _topology, frames, _processes, _regions, _setups, calls);
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
            try
            {
                return NumaTopology.Parse(File.ReadAllText(path));
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw Error(value, $"topology: cannot read {relative} ({exception.Message})");
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
        if (_processes.Any(p => p.Name == name))
        {
            throw Error(nameValue, $"process '{name}' is declared twice");
        }

        int home = map.Has("home_node") ? Node(map.Get("home_node"), "home_node") : 0;
        bool privileged = map.Has("privileged") && Bool(map.Get("privileged"), "privileged");
        IReadOnlyList<int>? cpuset = map.Has("cpuset") ? Cpuset(map.Get("cpuset")) : null;
        if (map.Has("exited") && Bool(map.Get("exited"), "exited"))
        {
            // It exits once its pages are set up, before the first call.
            _exited[_processes.Count] = map.Get("exited").Line;
        }

        _processes.Add(new ScenarioProcess(name, _processes.Count, home, privileged, cpuset) { Exited = _exited.ContainsKey(_processes.Count) });
    }

    private void ParseRegions(ScenarioValue value)
    {
        var map = Map(value, "a process", ProcessKeys);
        ScenarioProcess owner = _processes.First(p => p.Name == String(map.Require("name"), "process name"));
        if (!map.Has("regions"))
        {
            return;
        }

        foreach (ScenarioValue r in List(map.Get("regions"), "regions"))
        {
            var region = Map(r, "a region", "name", "kind", "pages", "writable", "mapped_by", "policy", "setup");
            ScenarioValue nameValue = region.Require("name");
            string name = String(nameValue, "region name");
            ScenarioValue kindValue = region.Require("kind");
            ScenarioRegionKind kind = String(kindValue, "kind") switch
            {
                "anon_private" => ScenarioRegionKind.AnonPrivate,
                "anon_shared" => ScenarioRegionKind.AnonShared,
                "file" => ScenarioRegionKind.File,
                var other => throw Error(kindValue, $"kind: expected anon_private, anon_shared or file, got '{other}'"),
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
            if (_regions.Any(x => x.Name == name && all.Any(x.IsMappedBy)))
            {
                throw Error(nameValue, $"region '{name}' is already visible to one of its processes");
            }

            MemPolicy? policy = region.Has("policy") ? RegionPolicy(region.Get("policy")) : null;
            _regions.Add(new ScenarioRegion(name, nameValue.Line, owner.Id, kind, pages, writable, mappedBy) { Policy = policy });
        }
    }

    private void ParseSetups(ScenarioValue value)
    {
        var map = Map(value, "a process", ProcessKeys);
        ScenarioProcess owner = _processes.First(p => p.Name == String(map.Require("name"), "process name"));
        if (!map.Has("regions"))
        {
            return;
        }

        foreach (ScenarioValue r in List(map.Get("regions"), "regions"))
        {
            var region = Map(r, "a region", "name", "kind", "pages", "writable", "mapped_by", "policy", "setup");
            if (!region.Has("setup"))
            {
                continue;
            }

            ScenarioRegion spec = _regions.First(x => x.Owner == owner.Id && x.Name == String(region.Require("name"), "region name"));
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
            ScenarioCallKind.Mbind => ["range", "policy", "nodes", "flags"],
            ScenarioCallKind.Migrate => ["pages", "node", "mode"],
            ScenarioCallKind.Read => ["pages"],
            ScenarioCallKind.Write => ["pages", "value"],
            ScenarioCallKind.Pin or ScenarioCallKind.Unpin => ["pages", "kind"],
            ScenarioCallKind.Munmap => ["range"],
            ScenarioCallKind.Exit => [],
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
            ScenarioCallKind.Munmap => call with { Pages = Range(map.Require("range"), pid, "range") },
            ScenarioCallKind.Exit => call,
            ScenarioCallKind.Migrate => call with
            {
                Pages = PageRefs(map.Require("pages"), pid, "pages"),
                Nodes = [Node(map.Require("node"), "node")],
                Mode = map.Has("mode") ? Mode(map.Get("mode")) : MigrateMode.Sync,
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
        MemPolicyMode policy = PolicyMode(map.Require("policy"), "policy");
        return call with
        {
            Pages = range,
            Policy = policy,
            Nodes = map.Has("nodes") ? Nodes(map.Get("nodes"), "nodes") : [],
            Flags = map.Has("flags") ? Flags(map.Get("flags")) : 0,
        };
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

    /// <summary>A region's policy: <c>{ mode: interleave, nodes: [0, 1] }</c>, checked as mbind checks it.</summary>
    private MemPolicy RegionPolicy(ScenarioValue value)
    {
        var map = Map(value, "policy", "mode", "nodes");
        MemPolicyMode mode = PolicyMode(map.Require("mode"), "policy.mode");
        List<int> nodes = map.Has("nodes") ? Nodes(map.Get("nodes"), "policy.nodes") : [];
        if ((mode == MemPolicyMode.Default) != (nodes.Count == 0) && mode != MemPolicyMode.Preferred)
        {
            throw Error(value, mode == MemPolicyMode.Default ? "policy: the default policy takes no nodes" : $"policy: {mode.ToString().ToLowerInvariant()} needs nodes");
        }

        return new MemPolicy(mode, [.. nodes.Distinct().Order()]);
    }

    private MemPolicyMode PolicyMode(ScenarioValue value, string what) => String(value, what) switch
    {
        "default" => MemPolicyMode.Default,
        "preferred" => MemPolicyMode.Preferred,
        "bind" => MemPolicyMode.Bind,
        "interleave" => MemPolicyMode.Interleave,
        var other => throw Error(value, $"{what}: expected default, preferred, bind or interleave, got '{other}'"),
    };

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
        var map = Map(value, "expect", "return", "errno", "status");
        long? ret = map.Has("return") ? Long(map.Get("return"), "expect.return", int.MinValue, int.MaxValue) : null;
        string? errno = map.Has("errno") ? ErrnoName(map.Get("errno"), "expect.errno") : null;
        IReadOnlyList<string>? status = null;
        if (map.Has("status"))
        {
            status = [.. List(map.Get("status"), "expect.status").Select(ExpectedStatus)];
        }

        return new ScenarioExpectation(value.Line, ret, errno, status);
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
        if (text == "0" || (text.StartsWith('E') && Errno.Name(ErrnoValue(text)) == text))
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
        _ => -1,
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

    private ScenarioRegion Region(ScenarioValue at, int pid, string name) =>
        _regions.FirstOrDefault(r => r.Name == name && r.IsMappedBy(pid))
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
        return _processes.FirstOrDefault(p => p.Name == name)?.Id ?? throw Error(value, $"{what}: no process named '{name}'");
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
        if (!value.TryGetLong(out long result))
        {
            throw Error(value, $"{what}: expected an integer, got {value.Describe()}");
        }

        if (result < min || result > max)
        {
            throw Error(value, $"{what}: {result} is out of range ({min} to {max})");
        }

        return result;
    }

    private bool Bool(ScenarioValue value, string what) => value.Kind == ScenarioValueKind.Scalar && value.Text is "true" or "false"
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
