namespace MigrationCluster.Memory.Syscalls;

/// <summary>The flags of mlock2(2) (include/uapi/asm-generic/mman-common.h).</summary>
public static class MlockFlags
{
    /// <summary>Lock pages as they are faulted in, instead of populating the range at once (VM_LOCKONFAULT).</summary>
    public const int MLOCK_ONFAULT = 0x01;
}
