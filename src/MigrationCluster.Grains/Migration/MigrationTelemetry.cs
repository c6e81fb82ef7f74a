using System.Diagnostics;
using System.Diagnostics.Metrics;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;

namespace MigrationCluster.Grains.Migration;

/// <summary>The migration's activity source and every span, tag and event name it uses, in one table.</summary>
public static class MigrationTelemetry
{
    public const string ActivitySourceName = MigrationSteps.ActivitySourceName;

    public const string MeterName = "MigrationCluster";

    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Request-context key: true asks the migration's tracer for per-page spans (<c>run --trace-pages</c>).</summary>
    public const string TracePagesContextKey = "mc.trace.pages";

    public static readonly Meter Meter = new(MeterName);

    /// <summary>The kernel's vmstat counters, under their /proc/vmstat names.</summary>
    public static readonly Counter<long> PgmigrateSuccess = Meter.CreateCounter<long>(VmStat.PgmigrateSuccessName, "{page}", "Pages migrated.");

    public static readonly Counter<long> PgmigrateFail = Meter.CreateCounter<long>(VmStat.PgmigrateFailName, "{page}", "Pages that failed to migrate.");

    public static readonly Counter<long> NumaPagesMigrated = Meter.CreateCounter<long>(VmStat.NumaPagesMigratedName, "{page}", "Pages migrated by NUMA balancing.");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>("migration.step.duration", "ms", "Wall-clock time of one protocol step over one batch.");

    /// <summary>The simulation's grain calls, counted at the callee (only where a silo adds the counting filter).</summary>
    public static readonly Counter<long> GrainCalls = Meter.CreateCounter<long>("migration.grain.calls", "{call}", "Grain calls between the simulation's grains, tagged cross_silo.");

    /// <summary>One finished migrate_pages() call's vm events on the meter (numa_pages_migrated only when NUMA balancing moved pages).</summary>
    public static void Count(MigrationVmEvents events)
    {
        PgmigrateSuccess.Add(events.PgmigrateSuccess);
        PgmigrateFail.Add(events.PgmigrateFail);
        if (events.NumaPagesMigrated != 0)
        {
            NumaPagesMigrated.Add(events.NumaPagesMigrated);
        }
    }

    public static class Spans
    {
        public const string MigratePages = MigrationSteps.RootSpanName;
        public const string Pass = "migrate_pages_pass";
        public const string UnmapAndMove = "unmap_and_move";
        public const string Batch = "migrate_pages_batch";
    }

    public static class Tags
    {
        public const string Step = MigrationSteps.StepTag;
        public const string Mode = "migration.mode";
        public const string Reason = "migration.reason";
        public const string Pass = "migration.pass";
        public const string PageCount = "page.count";
        public const string Pfn = "page.pfn";
        public const string NewPfn = "page.new_pfn";
        public const string SourceNode = "node.source";
        public const string TargetNode = "node.target";
        public const string Errno = "errno";
        public const string ErrnoName = "errno.name";
        public const string Undo = "migration.undo";
        public const string BatchSize = "migration.batch_size";
        public const string Succeeded = "result.succeeded";
        public const string Failed = "result.failed";
        public const string Retried = "result.retried";
        public const string Passes = "result.passes";
        public const string ReturnValue = "result.return_value";
        public const string AddressSpace = "pte.space";
        public const string VirtualPage = "pte.virtual_page";
        public const string WokenTasks = "woken.tasks";
        public const string CrossSilo = "cross_silo";
        public const string SimStart = "sim.start_ns";
        public const string SimDuration = "sim.duration_ns";
        public const string TlbShootdowns = "tlb.shootdowns";
        public const string TlbIpis = "tlb.ipis";
        public const string UndoPages = "migration.undo_pages";
        public const string FailedPages = "migration.failed_pages";
    }

    public static class Events
    {
        public const string SetMigrationPte = MigrationSteps.SetMigrationPteEvent;
        public const string RemoveMigrationPte = MigrationSteps.RemoveMigrationPteEvent;
    }
}
