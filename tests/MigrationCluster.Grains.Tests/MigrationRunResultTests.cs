using MigrationCluster.Grains.Migration;
using MigrationCluster.Memory;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Tests;

/// <summary>Several migrate_pages calls made side by side, read as one outcome.</summary>
public sealed class MigrationRunResultTests
{
    [Fact]
    public void Calls_combine_into_one_outcome_in_the_requests_order()
    {
        // Requests 0..4: the calls took {3, 0, 4} from node 1 and {1, 2} from node 2.
        var fromNode1 = Result(returnValue: 1, succeeded: 2, failed: 1, notIsolated: 1, retried: 2, passes: 3,
            errno: [0, -Errno.EBUSY, 0], newPages: [new(0, 10), PageRef.None, new(0, 11)],
            steps: [new(1, "lock_page", [1.0, 3.0]), new(12, "copy_page", [5.0])]);
        var fromNode2 = Result(returnValue: 0, succeeded: 2, failed: 0, notIsolated: 0, retried: 0, passes: 1,
            errno: [0, 0], newPages: [new(0, 12), new(0, 13)],
            steps: [new(1, "lock_page", [2.0])]);

        var combined = MigrationRunResult.Combine([(fromNode1, [3, 0, 4]), (fromNode2, [1, 2])], 5);

        Assert.Equal([-Errno.EBUSY, 0, 0, 0, 0], combined.PageErrno);
        Assert.Equal([PageRef.None, new(0, 12), new(0, 13), new(0, 10), new(0, 11)], combined.NewPages);
        Assert.Equal((1, 4, 1, 1, 2, 3), (combined.ReturnValue, combined.Succeeded, combined.Failed, combined.NotIsolated, combined.Retried, combined.Passes));
        Assert.Equal(4, combined.VmStat[VmStat.PgmigrateSuccessName]);
        Assert.Equal(1, combined.VmStat[VmStat.PgmigrateFailName]);

        // Step figures over all three lock_page batches (1, 2, 3 ms), not an average of averages.
        var lockPage = Assert.Single(combined.StepLatencies, s => s.Step == 1);
        Assert.Equal((3, 6.0, 2.0, 3.0), (lockPage.Batches, lockPage.TotalMs, lockPage.P50Ms, lockPage.P99Ms));
        Assert.Equal([1, 12], combined.StepLatencies.Select(s => s.Step));
        Assert.Equal([1.0, 3.0, 2.0], combined.StepBatchTimes.Single(s => s.Step == 1).BatchMs);
    }

    [Fact]
    public void A_call_that_ran_out_of_memory_makes_the_whole_outcome_enomem()
    {
        var ok = Result(returnValue: 0, succeeded: 1, failed: 0, notIsolated: 0, retried: 0, passes: 1, errno: [0], newPages: [new(1, 1)], steps: []);
        var enomem = Result(returnValue: -Errno.ENOMEM, succeeded: 0, failed: 1, notIsolated: 0, retried: 0, passes: 1, errno: [-Errno.ENOMEM], newPages: [PageRef.None], steps: []);

        Assert.Equal(-Errno.ENOMEM, MigrationRunResult.Combine([(ok, [0]), (enomem, [1])], 2).ReturnValue);
        Assert.Equal(-Errno.ENOMEM, MigrationRunResult.Combine([(enomem, [0]), (ok, [1])], 2).ReturnValue);
        Assert.Equal(0, MigrationRunResult.Combine([], 0).Passes);
    }

    private static MigrationRunResult Result(int returnValue, int succeeded, int failed, int notIsolated, int retried, int passes, int[] errno, PageRef[] newPages, StepBatchTimes[] steps) => new(
        returnValue, succeeded, failed, notIsolated, retried, passes, errno, newPages,
        new MigrationVmEvents(succeeded, failed, 0),
        [.. steps.Select(s => StepLatency.FromBatches(s.Step, s.Name, s.BatchMs))],
        steps);
}
