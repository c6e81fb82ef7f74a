namespace MigrationCluster.Memory.Migration;

/// <summary>enum migrate_mode.</summary>
public enum MigrateMode
{
    /// <summary>MIGRATE_ASYNC: never block: trylock only, writeback gives -EBUSY.</summary>
    Async,

    /// <summary>MIGRATE_SYNC_LIGHT: may block on the page lock, not on writeback.</summary>
    SyncLight,

    /// <summary>MIGRATE_SYNC: may block on the page lock and on writeback.</summary>
    Sync,
}

/// <summary>enum migrate_reason, as include/trace/events/migrate.h names them.</summary>
public enum MigrateReason
{
    Compaction,
    MemoryFailure,
    MemoryHotplug,
    Syscall,
    MempolicyMbind,
    NumaMisplaced,
    ContigRange,
    LongtermPin,
    Demotion,
}

public static class MigrateNames
{
    public static string Of(MigrateMode mode) => mode switch
    {
        MigrateMode.Async => "MIGRATE_ASYNC",
        MigrateMode.SyncLight => "MIGRATE_SYNC_LIGHT",
        MigrateMode.Sync => "MIGRATE_SYNC",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    public static string Of(MigrateReason reason) => reason switch
    {
        MigrateReason.Compaction => "compaction",
        MigrateReason.MemoryFailure => "memory_failure",
        MigrateReason.MemoryHotplug => "memory_hotplug",
        MigrateReason.Syscall => "syscall_or_cpuset",
        MigrateReason.MempolicyMbind => "mempolicy_mbind",
        MigrateReason.NumaMisplaced => "numa_misplaced",
        MigrateReason.ContigRange => "contig_range",
        MigrateReason.LongtermPin => "longterm_pin",
        MigrateReason.Demotion => "demotion",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
