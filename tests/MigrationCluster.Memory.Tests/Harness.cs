using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;
using MigrationCluster.Memory.Topology;

namespace MigrationCluster.Memory.Tests;

/// <summary>Builds small systems and records what the protocol reports.</summary>
internal static class Harness
{
    public static MemorySystem System(int nodes = 2, int frames = 64, ContentMode mode = ContentMode.Compact) =>
        new(NumaTopology.Uniform(nodes, remote: 21), new MemorySystemOptions { FramesPerNode = frames, ContentMode = mode });

    public static PageRef Touch(MemorySystem s, int space, long vpage, ulong value)
    {
        AccessResult r = s.Write(space, vpage, value);
        Assert.Equal(AccessStatus.Done, r.Status);
        return r.Page;
    }

    public static MigrateResult Migrate(MemorySystem s, IMigrationObserver? observer, MigrateMode mode, params MigrationRequest[] requests)
    {
        foreach (MigrationRequest q in requests)
        {
            Assert.True(s.Node(q.Page.Node).IsolateLruPage(q.Page.Pfn));
        }

        var protocol = new MigrationProtocol(new InProcessMigrationBackend(s), observer);
        ValueTask<MigrateResult> task = protocol.MigratePages(requests, mode, MigrateReason.Syscall);
        Assert.True(task.IsCompletedSuccessfully, "the in-process backend completes synchronously");
        return task.Result;
    }
}

/// <summary>Records every migrate_pages() call's result.</summary>
internal sealed class CallRecorder : MigrationObserver
{
    public List<MigrateResult> Ended { get; } = [];

    public override void MigrationEnded(MigrateResult result) => Ended.Add(result);
}

/// <summary>Records steps and PTE events in order.</summary>
internal sealed class RecordingObserver : MigrationObserver
{
    public List<string> Events { get; } = [];

    public List<(MigrationStep Step, int[] Results)> Steps { get; } = [];

    public override void StepEnded(MigrationStep step, ReadOnlySpan<MigrationPage> batch)
    {
        Steps.Add((step, batch.ToArray().Select(p => p.Result).ToArray()));
        Events.Add($"{step.Number()}:{step.KernelName()}");
    }

    public override void SetMigrationPte(PageRef page, PteRef pte) => Events.Add($"set_migration_pte {page} {pte}");

    public override void RemoveMigrationPte(PageRef page, PteRef pte) => Events.Add($"remove_migration_pte {page} {pte}");

    public override void PassStarted(int pass, int pages) => Events.Add($"pass {pass} {pages}");
}
