using System.Text.Json.Serialization;

namespace MigrationCluster.Dashboard;

/// <summary>
/// Everything the machine's page shows, as <c>/api/state</c> serves it (the other endpoints are
/// its parts): the cluster, the machine (null until one is configured, with
/// <see cref="Message"/> saying so), each node, the vmstat counters by their kernel names, the
/// migration rate and the last migrate_pages calls, newest first.
/// </summary>
public sealed record MachineState(
    string Cluster,
    long NowUnixMs,
    bool Configured,
    string? Message,
    MachineView? Machine,
    IReadOnlyList<NodeView> Nodes,
    [property: JsonPropertyName("vmstat")] IReadOnlyDictionary<string, long> VmStat,
    RateView Rate,
    IReadOnlyList<MigrationCallView> Migrations);
