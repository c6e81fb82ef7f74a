using System.Text.Json.Nodes;

namespace MigrationCluster.Scenarios.Tests;

/// <summary>
/// A random scenario document from a seed: 2-4 nodes, 1-3 processes (some privileged, some in a
/// cpuset) with private, shared and file regions mapped by others, first touches that read or
/// write, land on given nodes, are under writeback or pinned; then 2-8 calls of every kind with
/// random pages, nodes, flags and callers, the task policy calls (set_mempolicy with every mode,
/// mode flag and raw nodemask/maxnode, get_mempolicy with its flags, cpuset changes that rebind
/// policies), fork of a process into a fresh one (copy-on-write, DMA-pinned pages copied),
/// mlock/mlock2/munlock, compaction with or without unevictable pages, zombies, and node
/// weights for weighted interleave. Many are refused by the kernel's rules, some by the
/// format (a setup the machine cannot carry out): both are what the engines must agree on.
/// </summary>
internal static class RandomScenario
{
    public static string Json(int seed)
    {
        var random = new Random(seed);
        int nodes = random.Next(2, 5);
        int processCount = random.Next(1, 4);
        var names = Enumerable.Range(0, processCount).Select(i => $"p{i}").ToArray();
        var regions = new List<(string Owner, string Name, string Kind, int Pages, string[] MappedBy)>();
        var processes = new JsonArray();
        foreach (var name in names)
        {
            var process = new JsonObject { ["name"] = name, ["home_node"] = random.Next(nodes) };
            if (random.NextDouble() < 0.4)
            {
                process["privileged"] = true;
            }
            if (random.NextDouble() < 0.25)
            {
                process["cpuset"] = Nodes(random, nodes, 1);
            }
            if (random.NextDouble() < 0.25)
            {
                // A task policy as numactl would set it: refused ones are bad input, so keep them plain.
                process["policy"] = new JsonObject
                {
                    ["mode"] = Pick(random, ["bind", "interleave", "preferred", "preferred_many", "weighted_interleave"]),
                    ["nodes"] = Nodes(random, nodes, 1),
                };
            }
            var regionList = new JsonArray();
            for (int k = 0, count = random.Next(1, 3); k < count; k++)
            {
                string kind = Pick(random, ["anon_private", "anon_private", "anon_shared", "file", "file_private"]);
                string regionName = $"{name}r{k}";
                int pages = random.Next(1, 7);
                var region = new JsonObject { ["name"] = regionName, ["kind"] = kind, ["pages"] = pages };
                if (random.NextDouble() < 0.15 && !process.ContainsKey("cpuset"))
                {
                    region["policy"] = new JsonObject { ["mode"] = Pick(random, ["bind", "interleave", "weighted_interleave", "preferred_many"]), ["nodes"] = Nodes(random, nodes, 1) };
                }
                var others = names.Where(o => o != name).ToArray();
                string[] mappedBy = [];
                if (kind != "anon_private" && others.Length > 0 && random.NextDouble() < 0.5)
                {
                    mappedBy = [.. others.OrderBy(_ => random.Next()).Take(random.Next(1, others.Length + 1))];
                    region["mapped_by"] = new JsonArray([.. mappedBy.Select(m => JsonValue.Create(m))]);
                }
                var setup = new JsonArray();
                foreach (int index in Enumerable.Range(0, pages).OrderBy(_ => random.Next()).Take(random.Next(0, pages + 1)))
                {
                    var page = new JsonObject { ["pages"] = index };
                    if (random.NextDouble() < 0.7)
                    {
                        page["write"] = random.Next(1, 1000);
                        if (random.NextDouble() < 0.15)
                        {
                            page["writeback"] = true;
                        }
                    }
                    if (random.NextDouble() < 0.3)
                    {
                        page["node"] = random.Next(nodes);
                    }
                    if (random.NextDouble() < 0.1)
                    {
                        page["pin"] = Pick(random, ["gup", "dma"]);
                    }
                    if (mappedBy.Length > 0 && random.NextDouble() < 0.5)
                    {
                        page["touched_by"] = new JsonArray(name, mappedBy[0]);
                    }
                    setup.Add(page);
                }
                if (setup.Count > 0)
                {
                    region["setup"] = setup;
                }
                regionList.Add(region);
                regions.Add((name, regionName, kind, pages, mappedBy));
            }
            process["regions"] = regionList;
            processes.Add(process);
        }

        // Sometimes a fresh process with no regions, for a fork call to make a copy of its parent.
        string? fresh = random.NextDouble() < 0.35 ? $"p{processCount}" : null;
        if (fresh is not null)
        {
            processes.Add(new JsonObject { ["name"] = fresh, ["home_node"] = random.Next(nodes) });
        }
        var forkedFrom = new Dictionary<string, string>();
        bool Maps(string process, (string Owner, string Name, string Kind, int Pages, string[] MappedBy) r) =>
            r.Owner == process || r.MappedBy.Contains(process) || (forkedFrom.TryGetValue(process, out var parent) && Maps(parent, r));

        var calls = new JsonArray();
        var exited = new HashSet<string>();
        for (int c = 0, count = random.Next(2, 9); c < count; c++)
        {
            var live = names.Concat(forkedFrom.Keys).Where(n => !exited.Contains(n)).ToArray();
            if (live.Length == 0)
            {
                break;
            }
            string pid = Pick(random, live);
            var mine = regions.Where(r => Maps(pid, r)).ToArray();
            var region = Pick(random, mine);
            string kind = Pick(random, ["move_pages", "move_pages", "move_pages", "migrate_pages", "mbind", "migrate", "read", "write", "write", "pin", "unpin", "munmap", "truncate", "exit", "set_mempolicy", "set_mempolicy", "get_mempolicy", "set_cpuset", "fork", "fork", "mlock", "mlock", "munlock"]);
            var call = new JsonObject { ["call"] = kind, ["pid"] = pid };
            switch (kind)
            {
                case "move_pages":
                    var pages = PageList(random, mine, unmapped: true);
                    call["pages"] = pages;
                    call["nodes"] = random.NextDouble() < 0.2 ? null : new JsonArray([.. pages.Select(_ => JsonValue.Create(random.Next(nodes)))]);
                    if (random.NextDouble() < 0.8)
                    {
                        call["flags"] = Pick(random, ["MPOL_MF_MOVE", "MPOL_MF_MOVE_ALL", "MPOL_MF_MOVE"]);
                    }
                    if (random.NextDouble() < 0.3)
                    {
                        call["caller"] = Pick(random, live);
                    }
                    break;
                case "migrate_pages":
                    call["from"] = Nodes(random, nodes, 1);
                    call["to"] = Nodes(random, nodes, 1);
                    if (random.NextDouble() < 0.3)
                    {
                        call["caller"] = Pick(random, live);
                    }
                    break;
                case "mbind":
                    string policy = Pick(random, ["bind", "preferred", "interleave", "default", "local", "preferred_many", "weighted_interleave"]);
                    call["range"] = Range(random, region);
                    call["policy"] = policy;
                    call["nodes"] = policy is "default" or "local" ? new JsonArray() : Nodes(random, nodes, 1);
                    call["flags"] = Pick(random, ["MPOL_MF_MOVE", "MPOL_MF_MOVE|MPOL_MF_STRICT", "MPOL_MF_STRICT", "MPOL_MF_MOVE_ALL"]);
                    if (random.NextDouble() < 0.2)
                    {
                        call["mode_flags"] = Pick(random, ModeFlags);
                    }
                    break;
                case "set_mempolicy":
                    string mode = Pick(random, ["default", "preferred", "bind", "interleave", "local", "preferred_many", "weighted_interleave", "7"]);
                    call["mode"] = mode;
                    call["nodes"] = random.NextDouble() < 0.15 ? new JsonArray() : RawNodes(random, nodes);
                    if (random.NextDouble() < 0.3)
                    {
                        call["flags"] = Pick(random, ModeFlags);
                    }
                    if (random.NextDouble() < 0.2)
                    {
                        call["maxnode"] = Pick(random, [0, 1, 2, 3, nodes, nodes + 1, 1025, 1026, 40000]);
                    }
                    break;
                case "get_mempolicy":
                    string[] getFlags = ["0", "MPOL_F_NODE", "MPOL_F_ADDR", "MPOL_F_NODE|MPOL_F_ADDR", "MPOL_F_MEMS_ALLOWED", "MPOL_F_MEMS_ALLOWED|MPOL_F_NODE", "8"];
                    string flags = Pick(random, getFlags);
                    call["flags"] = flags;
                    if (flags.Contains("ADDR", StringComparison.Ordinal) || random.NextDouble() < 0.1)
                    {
                        call["addr"] = random.NextDouble() < 0.1 ? "unmapped" : $"{region.Name}:{random.Next(region.Pages)}";
                    }
                    if (random.NextDouble() < 0.2)
                    {
                        call["maxnode"] = Pick(random, [0, 1, nodes, 64, 1025, 40000]);
                    }
                    break;
                case "set_cpuset":
                    call["mems"] = Nodes(random, nodes, 1);
                    break;
                case "fork":
                    if (fresh is null || forkedFrom.ContainsKey(fresh))
                    {
                        continue;
                    }
                    call["child"] = fresh;
                    forkedFrom[fresh] = pid;
                    break;
                case "migrate":
                    call["pages"] = PageList(random, mine, unmapped: true);
                    call["node"] = random.Next(nodes);
                    call["mode"] = Pick(random, ["async", "sync_light", "sync"]);
                    break;
                case "read" or "write" or "pin" or "unpin":
                    call["pages"] = PageList(random, mine, unmapped: false);
                    if (kind == "write")
                    {
                        call["value"] = random.Next(1, 1000);
                    }
                    if (kind is "pin" or "unpin")
                    {
                        call["kind"] = Pick(random, ["gup", "dma"]);
                    }
                    break;
                case "munmap" or "munlock":
                    call["range"] = Range(random, region);
                    break;
                case "mlock":
                    call["range"] = Range(random, region);
                    if (random.NextDouble() < 0.4)
                    {
                        call["flags"] = Pick(random, ["MLOCK_ONFAULT", "MLOCK_ONFAULT", "0x2"]);
                    }
                    break;
                case "truncate":
                    var files = mine.Where(r => r.Kind != "anon_private").ToArray();
                    if (files.Length == 0)
                    {
                        continue;
                    }
                    var file = Pick(random, files);
                    call["region"] = file.Name;
                    call["from"] = random.Next(file.Pages);
                    break;
                default:
                    exited.Add(pid);
                    if (random.NextDouble() < 0.5)
                    {
                        call["zombie"] = true;
                    }
                    break;
            }
            calls.Add(call);
        }

        var document = new JsonObject
        {
            ["weighted_interleave"] = new JsonArray([.. Enumerable.Range(0, nodes).Select(_ => JsonValue.Create(random.Next(1, 4)))]),
            ["name"] = $"random-{seed}",
            ["nodes"] = nodes,
            ["frames_per_node"] = Pick(random, [8, 16, 64]),
            ["compact_unevictable_allowed"] = random.Next(2),
            ["processes"] = processes,
            ["calls"] = calls,
        };
        return document.ToJsonString();
    }

    private static readonly string[] ModeFlags = ["MPOL_F_STATIC_NODES", "MPOL_F_RELATIVE_NODES", "MPOL_F_NUMA_BALANCING", "MPOL_F_STATIC_NODES|MPOL_F_RELATIVE_NODES"];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A raw nodemask: the topology's nodes, and now and then a node that does not exist or a bit past MAX_NUMNODES.</summary>
    private static JsonArray RawNodes(Random random, int nodes)
    {
        JsonArray mask = Nodes(random, nodes, 1);
        if (random.NextDouble() < 0.15)
        {
            mask.Add(Pick(random, [nodes + 1, 63, 100, 1024, 1500]));
        }
        return mask;
    }

    private static JsonArray Nodes(Random random, int nodes, int atLeast) =>
        new([.. Enumerable.Range(0, nodes).OrderBy(_ => random.Next()).Take(random.Next(atLeast, nodes + 1)).Order().Select(n => JsonValue.Create(n))]);

    private static JsonArray PageList(Random random, (string Owner, string Name, string Kind, int Pages, string[] MappedBy)[] regions, bool unmapped)
    {
        var pages = new JsonArray();
        for (int i = 0, count = random.Next(1, 5); i < count; i++)
        {
            var region = Pick(random, regions);
            pages.Add($"{region.Name}:{random.Next(region.Pages)}");
        }
        if (unmapped && random.NextDouble() < 0.1)
        {
            pages.Add("unmapped");
        }
        return pages;
    }

    private static string Range(Random random, (string Owner, string Name, string Kind, int Pages, string[] MappedBy) region)
    {
        int first = random.Next(region.Pages);
        return $"{region.Name}:{first}-{random.Next(first, region.Pages)}";
    }
}
