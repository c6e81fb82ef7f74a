namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// One process (key: address space id): its page table, VMAs and the file mappings (radix trees)
/// it owns, and the tasks that read and write its memory. Each caller takes the role it needs, all
/// served by the one <see cref="AddressSpaceGrain"/> of that key: tasks
/// <see cref="IAddressSpaceAccessGrain"/>, the syscalls <see cref="IAddressSpaceSyscallGrain"/>,
/// the migration coordinator <see cref="IAddressSpaceMigrationGrain"/>, monitoring and the
/// invariant check <see cref="IAddressSpaceInspectionGrain"/>. This interface is all of them, plus
/// the set-up and scheduling of the process (an experiment, a scenario, a benchmark, a test).
/// </summary>
[Alias("mc.IAddressSpaceGrain")]
public interface IAddressSpaceGrain : IAddressSpaceAccessGrain, IAddressSpaceSyscallGrain, IAddressSpaceMigrationGrain, IAddressSpaceInspectionGrain
{
    [Alias("Configure")]
    Task Configure(AddressSpaceConfiguration configuration);

    /// <summary>The scheduler moved the process: its tasks now run on (and allocate near) another node.</summary>
    [Alias("MoveTo")]
    Task MoveTo(AddressSpaceConfiguration configuration);
}
