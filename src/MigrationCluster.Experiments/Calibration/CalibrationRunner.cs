using MigrationCluster.Experiments.Machines;
using MigrationCluster.Memory.Machines;

namespace MigrationCluster.Experiments.Calibration;

/// <summary>
/// <c>calibrate</c>: reruns published move_pages / migrate_pages measurements on the presets, at
/// their real sizes, and puts each published figure beside the simulated one. Every row of a
/// preset uses that preset's one parameter set (docs/machines.md says how it was chosen).
/// </summary>
public static class CalibrationRunner
{
    /// <summary>1 GB of 4 KiB pages, the size of the 1 GB experiments.</summary>
    public const int GigabytePages = 262_144;

    /// <summary>A 2 MiB THP: order 9, 512 base pages.</summary>
    public const int ThpOrder = 9, ThpPages = 1 << ThpOrder;

    /// <summary>A 64 KiB multi-size THP: order 4.</summary>
    public const int MthpOrder = 4;

    public const string ZiYan = "Zi Yan, THP migration series v9 cover letter (2017)";
    public const string Garg = "Shivank Garg, linux-mm 2026-05-08, batch copying and hardware offload (vanilla baseline)";
    public const string HuangYing = "Huang Ying, migrate_pages: batch flushing TLB (Linux 6.3)";

    public static async Task<IReadOnlyList<CalibrationRow>> RunAsync()
    {
        var rows = new List<CalibrationRow>();
        var haswell = MachinePresets.Get(MachinePresets.XeonE52640V3).Profile;
        var zen3 = MachinePresets.Get(MachinePresets.EpycZen3).Profile;

        // Zi Yan: move_pages across sockets by a single-threaded process, kernel before batching.
        var one = await MovePagesExperiment.RunAsync(haswell, 1, MigrationProtocolKind.PerPage, cpusPerProcess: 0).ConfigureAwait(false);
        rows.Add(Within20(ZiYan, haswell, "move_pages, one 4 KiB page across sockets", 62.47, one.Ns / 1000.0, "us"));
        var many = await MovePagesExperiment.RunAsync(haswell, 512, MigrationProtocolKind.PerPage, cpusPerProcess: 0).ConfigureAwait(false);
        rows.Add(Within20(ZiYan, haswell, "move_pages, 512 x 4 KiB pages across sockets", 1987.38, many.Ns / 1000.0, "us"));
        var thp = await MovePagesExperiment.RunAsync(haswell, ThpPages, MigrationProtocolKind.PerPage, cpusPerProcess: 0, folioOrder: ThpOrder).ConfigureAwait(false);
        rows.Add(Within20(ZiYan, haswell, "move_pages, one 2 MiB THP across sockets", 658.54, thp.Ns / 1000.0, "us"));

        // Garg: 1 GB of 4 KiB pages between two nodes, single thread, a batched kernel (v7.1-rc1).
        var gigabyte = await MovePagesExperiment.RunAsync(zen3, GigabytePages, MigrationProtocolKind.Batched, cpusPerProcess: 0).ConfigureAwait(false);
        rows.Add(Within20(Garg, zen3, "move_pages of 1 GB, 4 KiB pages, single thread", 3.31, gigabyte.GbPerS, "GB/s"));
        var mthp = await MovePagesExperiment.RunAsync(zen3, GigabytePages, MigrationProtocolKind.Batched, cpusPerProcess: 0, folioOrder: MthpOrder).ConfigureAwait(false);
        rows.Add(Within20(Garg, zen3, "move_pages of 1 GB, 64 KiB folios, single thread", 6.66, mthp.GbPerS, "GB/s"));
        var thps = await MovePagesExperiment.RunAsync(zen3, GigabytePages, MigrationProtocolKind.Batched, cpusPerProcess: 0, folioOrder: ThpOrder).ConfigureAwait(false);
        rows.Add(Within20(Garg, zen3, "move_pages of 1 GB, 2 MiB folios, single thread", 11.02, thps.GbPerS, "GB/s"));

        // Huang Ying: a multi-threaded workload (pmbench) on every other CPU while its pages move
        // between node 0 and node 1; batched against per-page on one machine.
        int threads = haswell.Cpus - 1;
        var perPage = await MovePagesExperiment.RunAsync(haswell, GigabytePages, MigrationProtocolKind.PerPage, threads).ConfigureAwait(false);
        var batched = await MovePagesExperiment.RunAsync(haswell, GigabytePages, MigrationProtocolKind.Batched, threads).ConfigureAwait(false);
        double ipiChange = Change(batched.TlbIpis, perPage.TlbIpis);
        rows.Add(Row(HuangYing, haswell, "TLB-flush IPIs, batched vs per-page", -99.1, ipiChange, "%", "reduction >= 95 %", ipiChange <= -95));
        double gain = Change(batched.PagesPerS, perPage.PagesPerS);
        rows.Add(Row(HuangYing, haswell, "pages migrated per second, batched vs per-page", 291.7, gain, "%", "+220 % .. +365 %", gain is >= 220 and <= 365));
        return rows;
    }

    private static double Change(double after, double before) => before == 0 ? 0 : ((after / before) - 1) * 100;

    private static CalibrationRow Within20(string source, MachineProfile machine, string figure, double published, double simulated, string unit) =>
        Row(source, machine, figure, published, simulated, unit, "+/- 20 %", Math.Abs((simulated / published) - 1) <= 0.20);

    private static CalibrationRow Row(string source, MachineProfile machine, string figure, double published, double simulated, string unit, string tolerance, bool within) =>
        new(source, machine.Name, figure, published, Math.Round(simulated, 4), unit, Math.Round((simulated / published) - 1, 4), tolerance, within);
}
