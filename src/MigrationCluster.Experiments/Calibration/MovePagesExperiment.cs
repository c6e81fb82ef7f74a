using MigrationCluster.Memory;
using MigrationCluster.Memory.Machines;
using MigrationCluster.Memory.Migration;
using MigrationCluster.Memory.Pages;

namespace MigrationCluster.Experiments.Calibration;

/// <summary>
/// A published migration experiment rerun on the in-process model (the model engine): one
/// process with <c>pages</c> anonymous base pages written on node 0, all moved to node 1 by one
/// migration syscall (entry, lru_add_drain_all, isolation of each page, then migrate_pages in
/// sync mode), on a described machine with one protocol. <c>cpusPerProcess</c> are the CPUs
/// the process's other threads run on (0: a single-threaded process migrating its own pages).
/// </summary>
public static class MovePagesExperiment
{
    public sealed record Outcome(long Ns, long Migrated, long TlbShootdowns, long TlbIpis, int PageSize)
    {
        /// <summary>Bytes moved per ns: GB/s.</summary>
        public double GbPerS => Ns <= 0 ? 0 : (double)Migrated * PageSize / Ns;

        public double PagesPerS => Ns <= 0 ? 0 : Migrated * 1e9 / Ns;
    }

    /// <param name="folioOrder">The folios the memory is in (0: base pages; 4: 64 KiB; 9: 2 MiB THPs): one move_pages address per folio.</param>
    public static async Task<Outcome> RunAsync(MachineProfile machine, int pages, MigrationProtocolKind protocol, int cpusPerProcess, int from = 0, int to = 1, int folioOrder = 0)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        int nr = 1 << folioOrder;
        if (pages % nr != 0)
        {
            throw new ArgumentException($"{pages} pages are not whole folios of {nr}", nameof(pages));
        }

        // Room for the folios' alignment on both nodes.
        var system = new MemorySystem(MachineTopology.Of(machine), new MemorySystemOptions { FramesPerNode = pages + Math.Max(64, nr), Machine = machine });
        var space = system.CreateAddressSpace(homeNode: from);
        var vma = system.MmapAnon(space.Id, pages, folioOrder: folioOrder);
        var requests = new MigrationRequest[pages / nr];
        for (int i = 0; i < requests.Length; i++)
        {
            PageRef page = system.Write(space.Id, vma.Start + ((long)i * nr), (ulong)(i + 1)).Page;
            if (system.Node(page.Node).FolioOrder(page.Pfn) != folioOrder || !system.Node(page.Node).IsolateLruPage(page.Pfn))
            {
                throw new InvalidOperationException($"folio {i} could not be faulted whole or isolated");
            }
            requests[i] = new MigrationRequest(page, to, folioOrder);
        }
        var clock = new MigrationClock(system.Cost, protocol: protocol, cpusPerProcess: cpusPerProcess);
        clock.ChargeSyscall(requests.Length);
        var result = await new MigrationProtocol(new InProcessMigrationBackend(system), clock: clock).MigratePages(requests, MigrateMode.Sync, MigrateReason.Syscall).ConfigureAwait(false);
        return new Outcome(clock.NowNs, result.VmEvents.PgmigrateSuccess, clock.TlbShootdowns, clock.TlbIpis, machine.PageSize);
    }
}
