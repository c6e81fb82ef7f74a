namespace MigrationCluster.Grains.Monitoring;

/// <summary>
/// The cluster's machine monitor: <see cref="MachineMonitorState"/> in one activation. In memory
/// only (what it shows is a view, not the simulation's state: if its silo goes, the next reports
/// start it again, empty) and never collected while idle, so the machine it was told about stays
/// known between runs. Every method is synchronous: calls never interleave.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
public sealed class MachineMonitorGrain(TimeProvider time) : Grain, IMachineMonitorGrain
{
    private readonly MachineMonitorState _state = new();
    private Guid _machineStamp;
    private SetUpProgress? _setUp;

    public Task ConfigureMachine(MachineDescription machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        if (machine.Nodes < 1 || machine.Distances.Any(row => row.Length != machine.Nodes))
        {
            throw new ArgumentException("a machine needs at least one node and a square distance matrix");
        }
        _state.Configure(machine, time.GetUtcNow().ToUnixTimeMilliseconds());
        _machineStamp = Guid.NewGuid();
        return Task.CompletedTask;
    }

    public Task ReportSetUp(SetUpProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        _setUp = progress;
        return Task.CompletedTask;
    }

    public Task<SetUpProgress?> GetSetUp() => Task.FromResult(_setUp);

    public Task ReportMigration(MigrationReport report)
    {
        // The migration has begun: the set-up is over.
        _setUp = null;
        _state.Report(report, time.GetUtcNow().ToUnixTimeMilliseconds());
        return Task.CompletedTask;
    }

    public Task<MachineDescription?> GetMachine() => Task.FromResult(_state.Machine);

    public Task<Guid> GetMachineStamp() => Task.FromResult(_machineStamp);

    public Task<MachineMonitorSnapshot> GetSnapshot() => Task.FromResult(_state.Snapshot(time.GetUtcNow().ToUnixTimeMilliseconds()));
}
