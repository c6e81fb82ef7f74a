using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Grains.SimulatedTime;

/// <summary>
/// The cost model of the cluster's configured machine, fetched once per silo process and machine
/// (its distance matrix is a megabyte at 512 nodes; every migrate_pages call needs it). Keyed by
/// the machine monitor's stamp, so clusters in one process and reconfigured machines never mix.
/// Without a configured machine, every pair of different nodes is at distance 20.
/// </summary>
internal static class MachineCostCache
{
    private const int Kept = 8;
    private static readonly Dictionary<Guid, CostModel> Models = [];
    private static readonly Queue<Guid> Order = new();

    public static async Task<CostModel> GetAsync(IGrainFactory grains)
    {
        var monitor = grains.GetMachineMonitor();
        var stamp = await monitor.GetMachineStamp();
        lock (Models)
        {
            if (stamp != Guid.Empty && Models.TryGetValue(stamp, out var cached))
            {
                return cached;
            }
        }
        var machine = stamp == Guid.Empty ? null : await monitor.GetMachine();
        var model = Of(machine);
        lock (Models)
        {
            if (stamp != Guid.Empty && Models.TryAdd(stamp, model))
            {
                Order.Enqueue(stamp);
                if (Order.Count > Kept)
                {
                    Models.Remove(Order.Dequeue());
                }
            }
        }
        return model;
    }

    private static CostModel Of(MachineDescription? machine)
    {
        if (machine is null)
        {
            return new CostModel(static (a, b) => a == b ? NumaTopology.LocalDistance : 20);
        }
        var d = machine.Distances;
        return new CostModel((a, b) => a >= 0 && b >= 0 && a < d.Length && b < d.Length ? d[a][b] : a == b ? NumaTopology.LocalDistance : 20);
    }
}
