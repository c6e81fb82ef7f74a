using MigrationCluster.Memory.AddressSpaces;

namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>A memory policy as it crosses between grains (a task's, or a shmem object's for a range of it).</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.MemPolicyView")]
public sealed record MemPolicyView(MemPolicyMode Mode, int[] Nodes, int Flags, int[] UserNodemask, int[] CpusetMemsAllowed)
{
    public static MemPolicyView? Of(MemPolicy? policy) => policy is null
        ? null
        : new MemPolicyView(policy.Mode, [.. policy.Nodes], policy.Flags, [.. policy.UserNodemask], [.. policy.CpusetMemsAllowed]);

    public MemPolicy ToPolicy() => new(Mode, Nodes) { Flags = Flags, UserNodemask = UserNodemask, CpusetMemsAllowed = CpusetMemsAllowed };
}
