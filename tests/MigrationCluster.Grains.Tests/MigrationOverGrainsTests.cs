using MigrationCluster.Grains.AddressSpaces;
using MigrationCluster.Grains.Migration;
using MigrationCluster.Grains.Nodes;
using MigrationCluster.Memory;
using MigrationCluster.Memory.AddressSpaces;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Grains.Tests;

public sealed class MigrationOverGrainsTests
{
    [Fact]
    public async Task Anonymous_pages_move_to_the_target_node_with_their_contents()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 256);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(GrainCluster.Process(home: 0));
        var region = await space.MmapAnon(32, shared: false);
        for (var i = 0; i < 32; i++)
        {
            Assert.Equal(0, (await space.Access(region.Start + i, write: true, (ulong)(1000 + i))).Errno);
        }
        var table = await space.GetPageTable();
        Assert.All(table, e => Assert.Equal(0, e.Page.Node));

        var coordinator = cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0);
        var result = await coordinator.MigratePages([.. table.Select(e => new MigrationRequest(e.Page, 1))], MigrateMode.Sync, MigrateReason.Syscall);

        Assert.Equal(0, result.ReturnValue);
        Assert.Equal(32, result.Succeeded);
        Assert.Equal(32, result.VmStat[VmStat.PgmigrateSuccessName]);
        var after = await space.GetPageTable();
        Assert.All(after, e => Assert.Equal((PteKind.Present, 1), (e.Kind, e.Page.Node)));
        for (var i = 0; i < 32; i++)
        {
            var read = await space.Access(region.Start + i, write: false, 0);
            Assert.Equal((ulong)(1000 + i), read.Value);
            Assert.Equal(1, read.Page.Node);
        }
        Assert.Equal(256, (await cluster.Grains.GetGrain<INumaNodeGrain>(0).GetStatus()).FreePages);
        Assert.Equal(256 - 32, (await cluster.Grains.GetGrain<INumaNodeGrain>(1).GetStatus()).FreePages);
        Assert.Contains(result.StepLatencies, s => s.Name == "try_to_unmap");
        Assert.DoesNotContain(result.StepLatencies, s => s.Name == "radix_tree_lock"); // anonymous pages skip 5, 7, 9, 11
    }

    [Fact]
    public async Task File_pages_shared_by_two_processes_move_through_the_radix_tree_steps()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 128);
        var owner = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        var other = cluster.Grains.GetGrain<IAddressSpaceGrain>(2);
        await owner.Configure(GrainCluster.Process(home: 0));
        await other.Configure(GrainCluster.Process(home: 0));
        var file = await owner.CreateFile();
        var mine = await owner.MmapShared(file, 0, 8, writable: true);
        var theirs = await other.MmapShared(file, 0, 8, writable: true);
        for (var i = 0; i < 8; i++)
        {
            await owner.Access(mine.Start + i, write: true, (ulong)(7 + i));
            await other.Access(theirs.Start + i, write: false, 0);
        }
        var pages = (await owner.GetPageTable()).Select(e => e.Page).ToArray();
        var result = await cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0)
            .MigratePages([.. pages.Select(p => new MigrationRequest(p, 1))], MigrateMode.Sync, MigrateReason.Syscall);

        Assert.Equal(8, result.Succeeded);
        Assert.Contains(result.StepLatencies, s => s.Name == "radix_tree_replace");
        foreach (var entry in (await owner.GetPageTable()).Concat(await other.GetPageTable()))
        {
            Assert.Equal((PteKind.Present, 1), (entry.Kind, entry.Page.Node));
        }
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal((ulong)(7 + i), (await other.Access(theirs.Start + i, write: false, 0)).Value);
        }
        var frames = await cluster.Grains.GetGrain<INumaNodeGrain>(1).SnapshotFrames();
        Assert.All(frames, f => Assert.Equal(2, f.Mapcount));
    }

    [Fact]
    public async Task A_page_pinned_by_an_extra_reference_backs_out_with_eagain_and_stays_put()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 64);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(GrainCluster.Process(home: 0));
        var region = await space.MmapAnon(2, shared: false);
        await space.Access(region.Start, write: true, 5);
        await space.Access(region.Start + 1, write: true, 6);
        var table = await space.GetPageTable();
        // Isolate the first page twice: the second isolation fails, as a page off the LRU cannot be taken again.
        var node0 = cluster.Grains.GetGrain<INumaNodeGrain>(0);
        var first = await node0.IsolateLruPages([table[0].Page.Pfn]);
        Assert.True(first[0]);
        var result = await cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0)
            .MigratePages([.. table.Select(e => new MigrationRequest(e.Page, 1))], MigrateMode.Async, MigrateReason.Syscall);
        Assert.Equal(-Errno.EBUSY, result.PageErrno[0]);
        Assert.Equal(0, result.PageErrno[1]);
        Assert.Equal(1, result.NotIsolated);
        Assert.Equal(0, (await space.Access(region.Start, write: false, 0)).Page.Node);
        Assert.Equal(6UL, (await space.Access(region.Start + 1, write: false, 0)).Value);
    }

    [Fact]
    public async Task Tasks_that_access_memory_during_a_migration_never_see_stale_data_and_reach_the_new_pages()
    {
        await using var cluster = await GrainCluster.StartAsync(nodes: 2, framesPerNode: 512);
        var space = cluster.Grains.GetGrain<IAddressSpaceGrain>(1);
        await space.Configure(GrainCluster.Process(home: 0));
        var region = await space.MmapAnon(128, shared: false);
        var warm = await space.RunWorkload(new WorkloadSpec(WorkloadPattern.Sequential, Tasks: 4, AccessesPerTask: 128, WriteFraction: 1.0, Seed: 1));
        Assert.Equal(0, warm.Errors);

        // The process moves to node 1; its memory follows while its tasks keep running.
        await space.MoveTo(GrainCluster.Process(home: 1));
        var table = await space.GetPageTable();
        var workload = space.RunWorkload(new WorkloadSpec(WorkloadPattern.Random, Tasks: 4, AccessesPerTask: 400, WriteFraction: 0.3, Seed: 2));
        var migration = cluster.Grains.GetGrain<IMigrationCoordinatorGrain>(0)
            .MigratePages([.. table.Select(e => new MigrationRequest(e.Page, 1))], MigrateMode.Sync, MigrateReason.NumaMisplaced);
        var report = await workload;
        var result = await migration;

        Assert.Equal(0, report.StaleReads);
        Assert.Equal(0, report.Errors);
        Assert.Equal(128, result.Succeeded + result.Failed);
        Assert.True(result.Succeeded > 0);
        var after = await space.RunWorkload(new WorkloadSpec(WorkloadPattern.Sequential, Tasks: 2, AccessesPerTask: 64, WriteFraction: 0, Seed: 3));
        Assert.Equal(0, after.StaleReads);
        Assert.DoesNotContain(await space.GetPageTable(), e => e.Kind == PteKind.Migration);
    }
}
