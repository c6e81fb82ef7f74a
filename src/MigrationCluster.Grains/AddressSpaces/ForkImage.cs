namespace MigrationCluster.Grains.AddressSpaces;

/// <summary>
/// What fork gives the child's address space grain (dup_mmap, done by the parent): its VMAs, the
/// policies on them, the task policy and interleave state, and the write-protected PTEs it shares
/// with the parent.
/// </summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.ForkImage")]
public sealed record ForkImage(MappedRegion[] Vmas, VmaPolicyView[] Policies, MemPolicyView? TaskPolicy, int IlPrev, int IlWeight, PteSnapshot[] Ptes);

/// <summary>A policy mbind set on [Start, End) of an address space.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.VmaPolicyView")]
public sealed record VmaPolicyView(long Start, long End, MemPolicyView Policy);
