using MigrationCluster.Grains.Monitoring;
using MigrationCluster.Memory.Cost;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;
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
    private static readonly Dictionary<Guid, SimulatedMachine> Models = [];
    private static readonly Queue<Guid> Order = new();

    public static async Task<SimulatedMachine> GetAsync(IGrainFactory grains)
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

    private static SimulatedMachine Of(MachineDescription? machine)
    {
        if (machine is null)
        {
            return new SimulatedMachine(new CostModel(static (a, b) => a == b ? NumaTopology.LocalDistance : 20), MigrationProtocolKind.PerPage, 0);
        }
        var d = machine.Distances;
        var cost = machine.Profile is { } profile
            ? new CostModel(profile)
            : new CostModel((a, b) => a >= 0 && b >= 0 && a < d.Length && b < d.Length ? d[a][b] : a == b ? NumaTopology.LocalDistance : 20, cpus: d.Length * CostModelOptions.DefaultCpusPerNode);
        return new SimulatedMachine(cost, machine.Protocol, machine.CpusPerProcess);
    }
}

/// <summary>What a migrate_pages call's clock needs from the configured machine.</summary>
internal sealed record SimulatedMachine(CostModel Cost, MigrationProtocolKind Protocol, int CpusPerProcess)
{
    public MigrationClock Clock(IMigrationTimeGate? gate) => new(Cost, gate, Protocol, CpusPerProcess);
}
